//! `.dockerignore` parsing and matching with Docker's rules (moby/patternmatcher).
