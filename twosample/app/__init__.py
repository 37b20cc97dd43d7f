"""The applications: the command line, file input, reports, figures, the demo."""
