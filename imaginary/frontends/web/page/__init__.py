"""The web client page: files served at / and /static/ by ..static."""
