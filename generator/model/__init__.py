"""What a record is: the field types that parse what staff typed, the typed records of
SPEC §2 (with the private-field marker), and the lifecycle state machine over a site's
evaluations (validation and the rules both need it). Imports only ``base``."""
