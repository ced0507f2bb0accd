"""Template tags of the project package: sections that lower apps' pages show from the engines."""
