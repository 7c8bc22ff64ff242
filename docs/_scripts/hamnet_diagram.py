"""Draw the HAMNet architecture diagram for the user guide.

The paper's Fig. 1 is lost; this figure follows the text of the paper and
``mne_hamnet.hamnet.HAMNet``. It is drawn with plain matplotlib patches so
that the documentation build needs no Graphviz and no network. The data flow
runs top to bottom, so the figure suits the narrow text column of the page.
The ``plot`` directive of ``docs/user_guide/model.rst`` runs this script; to
look at it alone, run ``python -c "import runpy, matplotlib.pyplot as plt;
runpy.run_path('docs/_scripts/hamnet_diagram.py'); plt.savefig('hamnet.png')"``.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

# Fill colours by kind of layer (pastel tones that stay distinct in grey).
DATA = "#eeeeee"
SPATIAL = "#d5ecd0"
TEMPORAL = "#e4d5ec"
POWER = "#fff1c6"
RELATION = "#d3e4f5"
HEAD = "#fbdcc4"
EDGE = "#404040"
SHAPE = "#555555"
SHARED = "#6a3d9a"
STAGE1 = "#d66a00"
STAGE2 = "#2c7bb6"

# Coordinates are in inches: font sizes in points then read as printed.
WIDTH, HEIGHT = 7.8, 9.6
HEAD_X, ORIG_X, MIRR_X, MID_X = 1.1, 3.5, 6.5, 5.0
BOX_W, HEAD_W = 2.0, 1.5
ROWS = {"input": 8.75, "spatial": 7.65, "temporal": 6.45, "bn": 5.3, "pa": 4.35,
        "stack": 3.05, "relation": 1.95, "linear": 0.8}
BOX_H = {"input": 0.62, "spatial": 0.62, "temporal": 0.82, "bn": 0.45, "pa": 0.62,
         "stack": 0.62, "relation": 0.82, "linear": 0.62}
FONT = 10.5
SMALL = 8.5


def _box(ax, x, row, text, color, width=BOX_W, fontsize=FONT):
    y, h = ROWS[row], BOX_H[row]
    ax.add_patch(FancyBboxPatch(
        (x - width / 2, y - h / 2), width, h, boxstyle="round,pad=0,rounding_size=0.08",
        facecolor=color, edgecolor=EDGE, linewidth=1.0, zorder=3,
    ))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4,
            linespacing=1.3)


def _top(row):
    return ROWS[row] + BOX_H[row] / 2


def _bottom(row):
    return ROWS[row] - BOX_H[row] / 2


def _arrow(ax, start, end, connection="arc3", color=EDGE, style="-|>", linestyle="-"):
    ax.add_patch(FancyArrowPatch(
        start, end, arrowstyle=style, mutation_scale=12, color=color, linewidth=1.1,
        linestyle=linestyle, connectionstyle=connection, shrinkA=0, shrinkB=0, zorder=2,
    ))


def _down(ax, x, upper, lower, shape=None):
    """Arrow from one row's box down to the next, with the shape beside it."""
    _arrow(ax, (x, _bottom(upper)), (x, _top(lower)))
    if shape:
        ax.text(x + 0.09, (_bottom(upper) + _top(lower)) / 2, shape, fontsize=SMALL,
                color=SHAPE, ha="left", va="center")


def _frame(ax, x0, y0, x1, y1, color):
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=color,
                           linestyle=(0, (4, 3)), linewidth=1.5, zorder=1))


def draw():
    """Draw the diagram.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    """
    fig = plt.figure(figsize=(WIDTH, HEIGHT))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, HEIGHT)
    ax.set_axis_off()

    # --- input and its mirror image
    _box(ax, ORIG_X, "input", "input window\n$X$:  $C \\times T$", DATA)
    _box(ax, MIRR_X, "input", "mirror\n$X$[mirror_index]", DATA)
    _arrow(ax, (ORIG_X + BOX_W / 2, ROWS["input"]), (MIRR_X - BOX_W / 2, ROWS["input"]))
    ax.text(MID_X, ROWS["input"] + 0.07, "swap left/right", fontsize=SMALL, color=SHAPE,
            ha="center", va="bottom")
    ax.text(MID_X, ROWS["input"] - 0.07, "keep midline", fontsize=SMALL, color=SHAPE,
            ha="center", va="top")

    # --- the two branches
    for x, suffix in ((ORIG_X, ""), (MIRR_X, "_m")):
        labels = x == ORIG_X  # the shapes are the same in both branches
        _box(ax, x, "spatial", f"spatial conv $W{suffix}$\n$K_1 = 16$ filters", SPATIAL)
        _box(ax, x, "temporal", "temporal FIR conv\n$K_2 = 18$ kernels\n$N = 41$ taps",
             TEMPORAL)
        _box(ax, x, "bn", "BN", POWER)
        _box(ax, x, "pa", "PA: square,\nmean over time", POWER)
        _down(ax, x, "input", "spatial", "$C \\times T$" if labels else None)
        _down(ax, x, "spatial", "temporal", "$K_1 \\times T$" if labels else None)
        _down(ax, x, "temporal", "bn",
              "$K_1 \\times K_2$\n$\\times\\,(T{+}N{-}1)$" if labels else None)
        _down(ax, x, "bn", "pa")

    # one set of temporal kernels for both branches, frozen in stage 2
    y = ROWS["temporal"]
    _arrow(ax, (ORIG_X + BOX_W / 2, y), (MIRR_X - BOX_W / 2, y), style="<|-|>",
           linestyle=(0, (3, 2)), color=SHARED)
    ax.text(MID_X, y + 0.08, "shared\nweights", fontsize=SMALL, color=SHARED,
            ha="center", va="bottom", linespacing=1.15)
    ax.text(MID_X, y - 0.08, "\u2744 frozen\nin stage 2", fontsize=SMALL, color=SHARED,
            ha="center", va="top", linespacing=1.15)

    # --- stage 1's head, beside the original branch
    y = ROWS["pa"]
    _box(ax, HEAD_X, "pa", "linear\n\u2193 softmax", HEAD, width=HEAD_W)
    _arrow(ax, (ORIG_X - BOX_W / 2, y), (HEAD_X + HEAD_W / 2, y))
    ax.text(HEAD_X + HEAD_W / 2 + 0.08, y + 0.07, "$K_1 K_2$",
            fontsize=SMALL, color=SHAPE, ha="left", va="bottom")
    ax.text(HEAD_X, _top("pa") + 0.08, "class probabilities", fontsize=SMALL,
            color=SHAPE, ha="center", va="bottom")

    # --- stage 2: stack, relate, classify
    _box(ax, MID_X, "stack", "stack\n$2 \\times K_1 K_2$", RELATION)
    y = ROWS["stack"]
    for x, side in ((ORIG_X, -1), (MIRR_X, 1)):
        _arrow(ax, (x, _bottom("pa")), (MID_X + side * BOX_W / 2, y),
               connection=f"angle,angleA=-90,angleB={0 if side > 0 else 180},rad=0")
        ax.text(x - side * 0.09, 3.42, "$K_1 \\times K_2$",
                fontsize=SMALL, color=SHAPE, ha="left" if side < 0 else "right",
                va="center")
    _box(ax, MID_X, "relation", "relational conv\nkernel $(2, 1)$\n$R$ filters", RELATION)
    _box(ax, MID_X, "linear", "linear\n\u2193 softmax", HEAD)
    _down(ax, MID_X, "stack", "relation")
    _down(ax, MID_X, "relation", "linear", "$R \\times K_1 K_2$")
    ax.text(MID_X + BOX_W / 2 + 0.1, ROWS["linear"], "class\nprobabilities",
            fontsize=SMALL, color=SHAPE, ha="left", va="center")

    # --- the stages
    _frame(ax, 0.15, 3.72, ORIG_X + BOX_W / 2 + 0.16, 9.3, STAGE1)
    ax.text(0.15, 9.36, "stage 1: pretraining (original branch)", color=STAGE1,
            fontsize=FONT, fontweight="bold", ha="left", va="bottom")
    _frame(ax, ORIG_X - BOX_W / 2 - 0.12, 0.3, WIDTH - 0.08, 9.2, STAGE2)
    ax.text(WIDTH - 0.1, 9.36, "stage 2: finetuning (both branches)", color=STAGE2,
            fontsize=FONT, fontweight="bold", ha="right", va="bottom")
    ax.text(0.2, 1.7,
            "$C$: channels\n$T$: samples per window\n$K_1$: spatial filters\n"
            "$K_2$: FIR bands\n$N$: taps per kernel\n$R$: relation filters\n"
            "BN: batch norm\nPA: power average",
            fontsize=SMALL, color=SHAPE, ha="left", va="center", linespacing=1.45)
    return fig


draw()
