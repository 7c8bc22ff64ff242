"""The HAMNet paper's training settings and the accuracies published on SEED, in one place."""

#: The paper's two-stage training (§4.2): epochs and Adam learning rates per stage.
PAPER_TRAINING = dict(
    pretrain_epochs=800, finetune_epochs=600, pretrain_lr=1e-4, finetune_lr=5e-5
)

#: Accuracy (%) on SEED reported by the HAMNet paper (Table 1 and §4.3), with
#: its shuffled-window 5-fold protocol. The SVM row of Table 1 [Zheng & Lu,
#: 2015] is one number for DE features; the paper's text says that work used
#: DE and DASM.
PAPER_ACCURACY = {
    "HAMNet": 96.45,
    "HAMNet-pretrain": 93.53,
    "DE+SVM": 84.22,
    "DASM+SVM": 84.22,
}
#: Methods of the paper's Table 1 that this package does not implement.
PAPER_ONLY_ACCURACY = {
    "DBN (DE)": 86.65,
    "BiHDM": 93.12,
    "4D-ANN": 96.10,
}

#: Accuracy (%) on SEED published under the chronological protocol (per
#: session, the first 9 trials train and the last 6 test): (method, accuracy,
#: source). Published, not measured by this package.
PUBLISHED_CHRONOLOGICAL = (
    ("DGCNN", 90.40, "Song et al., 2018, IEEE Trans. Affect. Comput."),
    ("BiHDM", 93.12, "Li et al., 2021, IEEE Trans. Cogn. Dev. Syst."),
    ("RGNN", 94.24, "Zhong et al., 2020, IEEE Trans. Affect. Comput."),
    ("DGCNN (LibEER re-run)", 89.48, "LibEER benchmark (Liu et al., 2024)"),
    ("RGNN (LibEER re-run)", 84.66, "LibEER benchmark (Liu et al., 2024)"),
)
