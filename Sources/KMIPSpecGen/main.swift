import Foundation
import KMIPSpecGenCore

// Usage: swift run KMIPSpecGen [registry-dir] [output-dir]
let args = CommandLine.arguments
let registry = URL(fileURLWithPath: args.count > 1 ? args[1] : "../shared/kmip-spec")
let output = URL(fileURLWithPath: args.count > 2 ? args[2] : "Sources/KMIP/Spec/Generated")
do {
    let generator = try SpecGenerator(registryDirectory: registry)
    for (name, text) in generator.files().sorted(by: { $0.key < $1.key }) {
        try text.write(to: output.appendingPathComponent(name), atomically: true, encoding: .utf8)
        print("wrote \(output.appendingPathComponent(name).path)")
    }
} catch {
    FileHandle.standardError.write("KMIPSpecGen: \(error)\n".data(using: .utf8)!)
    exit(1)
}
