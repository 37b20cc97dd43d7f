"""Sphinx configuration. Built in strict mode (-W) by tests/contracts/test_docs.py."""

import twosample

project = "twosample"
author = "twosample developers"
copyright = "2026, twosample developers"
release = twosample.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 shipped into _static: the math renders without a network (no CDN)
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["dollarmath", "amsmath"]
exclude_patterns = ["_build"]

autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = "twosample"
html_theme_options = {"navigation_with_keys": False, "show_nav_level": 2, "navigation_depth": 3}
html_static_path = ["_static"]
html_css_files = ["custom.css"]  # wide tables scroll instead of being cut
