/// What differs between 1.0 and 1.4 lives as data on each field (`Field.since`); the codec applies it.
/// This file holds the one rule that is not a field: which versions a server offers.
extension ProtocolVersion {
    /// The Discover Versions answer: the supported versions, newest first, that the client also
    /// lists; all of them when the client lists none (KMIP 1.4 §4.26).
    public static func discoverVersions(clientVersions: [ProtocolVersion],
                                        supported: [ProtocolVersion] = ProtocolVersion.supported) -> [ProtocolVersion] {
        clientVersions.isEmpty ? supported : supported.filter(clientVersions.contains)
    }

    /// Whether this library can decode and encode messages of this version.
    public var isSupported: Bool { ProtocolVersion.supported.contains(self) }
}
