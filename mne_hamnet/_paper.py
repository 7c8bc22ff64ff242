"""The HAMNet paper's training settings and the accuracies published on SEED, with their caveats."""

#: The paper's two-stage training (§4.2): epochs and Adam learning rates per stage.
PAPER_TRAINING = dict(
    pretrain_epochs=800, finetune_epochs=600, pretrain_lr=1e-4, finetune_lr=5e-5
)

#: Accuracy (%) on SEED reported by the HAMNet paper (Table 1 and §4.3), with
#: its shuffled-window 5-fold protocol, which leaks (windows of one trial on
#: both sides of each split). The SVM row of Table 1 (84.22) is the SVM on DE
#: features of the work its text describes (Duan et al., 2013); the paper
#: gives no number for DASM.
PAPER_ACCURACY = {
    "HAMNet": 96.45,
    "HAMNet-pretrain": 93.53,
    "DE+SVM": 84.22,
}
#: Methods of the paper's Table 1 that this package does not implement.
PAPER_ONLY_ACCURACY = {
    "DBN (DE)": 86.65,
    "BiHDM": 93.12,
    "4D-ANN": 96.10,
}
#: The flaw of the paper's protocol, said wherever its numbers are shown.
PAPER_CAVEAT = (
    "shuffled 1-s windows: windows of one trial on both sides of each split, so the "
    "number overstates accuracy on unseen trials (it leaks)"
)

#: Accuracy (%) on SEED published under the chronological protocol (per
#: session, the first 9 trials train and the last 6 test): (method, accuracy,
#: source, caveat). Published, not measured by this package.
PUBLISHED_CHRONOLOGICAL = (
    ("DGCNN", 90.40, "Song et al., 2018, IEEE Trans. Affect. Comput.",
     "as published; LibEER's re-run gives 89.48"),
    ("BiHDM", 93.12, "Li et al., 2021, IEEE Trans. Cogn. Dev. Syst.", "as published"),
    ("RGNN", 94.24, "Zhong et al., 2020, IEEE Trans. Affect. Comput.",
     "as published; LibEER's re-run gives 84.66"),
    ("DGCNN (LibEER re-run)", 89.48, "LibEER benchmark (Liu et al., 2024)",
     "sessions 1-2 only; the best epoch chosen on the test trials"),
    ("RGNN (LibEER re-run)", 84.66, "LibEER benchmark (Liu et al., 2024)",
     "sessions 1-2 only; the best epoch chosen on the test trials"),
)
#: Accuracy (%) on SEED from LibEER's validation-based protocol: per session,
#: random 9 / 3 / 3 trials for training, validation (which picks the epoch)
#: and test: (method, accuracy, source, caveat). Not the chronological split,
#: but no test trial chooses anything.
PUBLISHED_VALIDATED = tuple(
    (name, accuracy, "LibEER benchmark (Liu et al., 2024)",
     "random 9/3/3 train/validation/test trials per session; the epoch chosen on "
     "the validation trials")
    for name, accuracy in (
        ("DGCNN", 82.55), ("RGNN", 76.55), ("SVM", 75.08), ("TSception", 64.01),
        ("EEGNet", 58.81),
    )
)
