"""Text specs of the official-looking templates (TOML); installed as package data so `perfscore template` works from a wheel."""
