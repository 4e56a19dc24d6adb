"""The local Cloud Storage (a JSON API server over a folder), as ``STORAGE_EMULATOR_HOST``."""
