"""Users, roles, region scope, password hashing, sessions and CSRF."""
