"""The organisation tree, roles and scope, and the responsibility catalogue."""
