//! One module per subcommand: its clap arguments and what it does.
