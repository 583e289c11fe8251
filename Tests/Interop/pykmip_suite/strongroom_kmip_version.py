"""A pytest plugin for PyKMIP's own integration suite: every client it builds speaks the KMIP
version in $STRONGROOM_KMIP_VERSION ("1.0" … "1.4") instead of PyKMIP's default, 1.2. The suite
has no option for it; KMIPProxy is where both of its clients take their version from."""

import os

from kmip.core import enums
from kmip.services import kmip_client

_VERSION = getattr(enums.KMIPVersion, "KMIP_" + os.environ.get("STRONGROOM_KMIP_VERSION", "1.2").replace(".", "_"))
_original_init = kmip_client.KMIPProxy.__init__


def _init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    self.kmip_version = _VERSION


kmip_client.KMIPProxy.__init__ = _init
