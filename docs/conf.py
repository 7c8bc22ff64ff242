"""Sphinx configuration of the mne-hamnet documentation.

The build is offline: no extension fetches anything at build time (MathJax
is loaded by the reader's browser). Intersphinx links to other projects'
documentation need their inventories from the network, so they are off
unless ``MNE_HAMNET_DOCS_INTERSPHINX=1`` is set.

The examples under ``../examples`` are executed by sphinx-gallery (only the
files named ``plot_*.py``). For a quick build without running them::

    sphinx-build -D plot_gallery=0 -b html docs docs/_build/html
"""

import os
import sys
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import mne_hamnet  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "sphinxext"))

# -- Project ------------------------------------------------------------------
project = "mne-hamnet"
author = "mne-hamnet developers"
copyright = f"{date.today().year}, {author}"
version = release = mne_hamnet.__version__

# -- General ------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "bad_input",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "_scripts", "sphinxext", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
default_role = "py:obj"

# -- Intersphinx: network only on request -------------------------------------
if os.environ.get("MNE_HAMNET_DOCS_INTERSPHINX", "0") == "1":
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "mne": ("https://mne.tools/stable", None),
        "torch": ("https://docs.pytorch.org/docs/stable", None),
        "skorch": ("https://skorch.readthedocs.io/en/stable", None),
        "moabb": ("https://moabb.neurotechx.com/docs", None),
    }
    intersphinx_timeout = 10

# -- autodoc, autosummary, numpydoc -------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- plot directive (the architecture diagram) --------------------------------
plot_basedir = str(HERE / "_scripts")
plot_formats = [("svg", 96), ("png", 150)]
plot_html_show_formats = False
plot_html_show_source_link = False
plot_include_source = False
plot_pre_code = ""
plot_rcparams = {"svg.fonttype": "path"}
plot_apply_rcparams = True

# -- sphinx-gallery -----------------------------------------------------------
EXAMPLES = HERE.parent / "examples"
GALLERY = "auto_examples"


def _has_gallery(folder):
    """Whether ``folder`` holds what sphinx-gallery needs: a README or index."""
    names = ("README.txt", "README.rst", "readme.txt", "readme.rst", "index.rst")
    return folder.is_dir() and any((folder / name).is_file() for name in names)


sphinx_gallery_conf = {
    "examples_dirs": [],
    "gallery_dirs": [],
    # only files named plot_*.py run; others (the GPU example) are shown as code
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "capture_repr": ("_repr_html_", "__repr__"),
    "doc_module": ("mne_hamnet",),
    "reference_url": {"mne_hamnet": None},
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    "download_all_examples": False,
}
# Gallery sections from first steps to advanced use; folders not named here
# follow ("*").
SECTION_ORDER = ("getting_started", "training", "mirror", "interpretation", "evaluation",
                 "gpu")

if _has_gallery(EXAMPLES):
    sphinx_gallery_conf["examples_dirs"] = ["../examples"]
    sphinx_gallery_conf["gallery_dirs"] = [GALLERY]
    sphinx_gallery_conf["subsection_order"] = [
        f"../examples/{name}" for name in SECTION_ORDER if (EXAMPLES / name).is_dir()
    ] + ["*"]
else:
    # No examples yet: a placeholder keeps the toctree entry valid.
    (HERE / GALLERY).mkdir(exist_ok=True)
    (HERE / GALLERY / "index.rst").write_text(
        "Examples\n========\n\nThe examples gallery is empty: ``examples/`` holds "
        "no ``README.txt`` yet.\n",
        encoding="utf-8",
    )

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"mne-hamnet {release}"
html_static_path = ["_static"]
html_css_files = ["style.css"]
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {
    "index": [],
    "install": [],
    "api": [],
    "bibliography": [],
    "changelog": [],
    "benchmarks": [],
}


# -- Hooks --------------------------------------------------------------------
def _skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated metadata-routing setters.

    scikit-learn adds ``set_<method>_request`` to estimators' classes; their
    docstrings point at scikit-learn's own glossary, which is not here.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    """Connect the hooks above."""
    app.connect("autodoc-skip-member", _skip_member)
