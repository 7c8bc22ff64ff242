"""The "Bad input" tables: each input is run and what it does is captured.

The page ``user_guide/bad_input.rst`` shows, for each kind of bad (or merely
unusual) input, the code that passes it and what happens: the exception it
raises, or, for inputs that are accepted, that it works and any warning it
gives. Nothing is copied by hand: every case in :data:`CASES` is executed
when the docs are built. A case that stops behaving as declared (an error
case that no longer raises, a "works" case that raises) is a build warning,
an error under ``-W``, so the page cannot silently go stale.
``tests/test_docs.py`` runs the same cases; ``tests/test_bad_input.py``
holds the detailed behavioural tests.

Usage in reST::

    .. bad-input-table:: input
"""

import contextlib
import io
import os
import re
import tempfile
import warnings
from pathlib import Path
from unittest import mock

# Each section maps to a list of (what, code) or (what, code, flags). The
# code runs in the namespace built by `make_namespace`. It must raise,
# unless the flags contain "works"; "ctrl_c" lets it raise KeyboardInterrupt;
# other flags name a context the case needs (see `_CONTEXTS`).
CASES = {
    "input": [
        ("A continuous Raw instead of windows", "HAMNetClassifier().fit(raw)"),
        ("An array without ``sfreq`` and ``ch_names``", "HAMNetClassifier().fit(X, y)"),
        ("An array that is not 3-D", "clf_array.fit(X[0], y)"),
        ("A 4-D array", "clf_array.fit(X[None], y)"),
        ("An array with no window", "clf_array.fit(X[:0], y[:0])"),
        ("Windows with no sample", "clf_array.fit(X[:, :, :0], y)"),
        ("Windows with no channel",
         "HAMNetClassifier(sfreq=200.0, ch_names=[]).fit(X[:, :0], y)"),
        ("``ch_names`` that do not match the channels",
         "HAMNetClassifier(sfreq=200.0, ch_names=ch_names[:-1]).fit(X, y)"),
        ("NaN or infinite values", "clf_array.fit(X_nan, y)"),
        ("Values beyond the float32 range", "clf_array.fit(X_1e39, y)"),
        ("An outlier so large that training overflows (1e20)",
         "clf_array.fit(X_1e20, y)"),
        ("A large outlier (1e6 µV)", "clf_array.fit(X_1e6, y)", "works"),
        ("A flat (all-zero) channel", "clf_array.fit(X_flat, y)", "works"),
        ("float64 or int16 arrays", "clf_array.fit(X.astype(np.int16), y)", "works"),
        ("An array of strings", "clf_array.fit(X.astype(str), y)"),
        ("A complex array", "clf_array.fit(X.astype(complex), y)"),
        ("A sparse matrix", "clf_array.fit(sparse.csr_matrix(X[:, 0]), y)"),
        ("Fewer windows than ``batch_size``", "clf_array.fit(X[:6], y[:6])", "works"),
        ("Epochs without EEG channels", "HAMNetClassifier().fit(epochs_misc)"),
        ("Epochs with every epoch dropped",
         "HAMNetClassifier().fit(epochs.copy().drop(range(len(epochs)), verbose=False))"),
        ("``sfreq`` given with Epochs, and different",
         "HAMNetClassifier(sfreq=100.0).fit(epochs)"),
        ("A list mixing Epochs and arrays", "HAMNetClassifier().fit([epochs, X])"),
        ("A list of Epochs at different rates",
         "HAMNetClassifier().fit([epochs, epochs_100hz])"),
        ("No ``y`` with array input", "clf_array.fit(X)"),
        ("``y`` of another length than ``X``", "clf_array.fit(X, y[:-1])"),
        ("A single class", "clf_array.fit(X, np.zeros(len(X)))"),
        ("Continuous targets", "clf_array.fit(X, np.linspace(0, 1, len(X)))"),
        ("Targets with NaN", "clf_array.fit(X, np.r_[np.nan, y[1:]])"),
        ("A column vector ``y``", "clf_array.fit(X, y[:, None])", "works"),
        ("2-D targets with several columns", "clf_array.fit(X, np.column_stack([y, y]))"),
        ("An array in volts (``epochs.get_data()``): used as given, with a warning",
         "clf_array.fit(X * 1e-6, y)", "works"),
        ("Epochs not preloaded (``preload=False``): read a chunk at a time",
         "HAMNetClassifier(**quick).fit(epochs_lazy)", "works"),
        ("Lazy Epochs in ``cross_val_score`` before ``drop_bad()`` (scikit-learn asks "
         "their length first; ``epochs.drop_bad()`` answers it without preloading)",
         "cross_val_score(HAMNetClassifier(**quick), epochs_lazy, cv=2)"),
        ("A list of Epochs with different window lengths",
         "HAMNetClassifier().fit([epochs, epochs.copy().crop(0, 0.5)])"),
        ("A list of Epochs with different channels",
         "HAMNetClassifier().fit([epochs, epochs.copy().drop_channels(['O2'])])"),
        ("``sample_weight``", "clf_array.fit(X, y, sample_weight=np.ones(len(y)))"),
        ("A string as ``sfreq``",
         "HAMNetClassifier(sfreq='200', ch_names=ch_names).fit(X, y)"),
        ("float16, Fortran-ordered or reversed-stride arrays",
         "clf_array.fit(np.asfortranarray(X.astype(np.float16))[:, :, ::-1], y)", "works"),
        ("Boolean or string labels", "clf_array.fit(X, np.array(['neg', 'pos'])[y])",
         "works"),
        ("An Evoked (an average) instead of Epochs", "HAMNetClassifier().fit(epochs.average())"),
        ("Labels that mix strings and numbers",
         "clf_array.fit(X, np.array(['neg', 1] * 10, dtype=object))"),
        ("A DC offset of 3-5 mV per channel (DC-coupled amplifiers): removed per window "
         "inside the network, same predictions",
         "assert (clf_array.fit(X + offset, y).predict(X + offset) "
         "== clf_array.fit(X, y).predict(X)).all()", "works"),
        ("Epochs made from µV data without ``* 1e-6`` (a million times too large): "
         "used as given, with a warning",
         "HAMNetClassifier(**quick).fit(mne.EpochsArray(epochs.get_data(units='uV'), "
         "epochs.info, events=epochs.events))", "works"),
        ("Epochs whose C4 is marked bad: C3 has no partner, and the message says why",
         "HAMNetClassifier().fit(epochs_c4_bad)"),
        ("``cross_val_score(clf, epochs)`` without ``y``: the event codes",
         "cross_val_score(HAMNetClassifier(**quick), epochs, cv=2)", "works"),
    ],
    "classifier": [
        ("``lr`` instead of the stage learning rates",
         "HAMNetClassifier(lr=0.01).fit(epochs)"),
        ("``max_epochs`` instead of the stage epochs",
         "HAMNetClassifier(max_epochs=10).fit(epochs)"),
        ("``optimizer__lr``", "HAMNetClassifier(optimizer__lr=0.01).fit(epochs)"),
        ("No pretraining epoch", "HAMNetClassifier(pretrain_epochs=0).fit(epochs)"),
        ("A negative number of finetuning epochs",
         "HAMNetClassifier(finetune_epochs=-1).fit(epochs)"),
        ("A learning rate that is not positive",
         "HAMNetClassifier(pretrain_lr=0.0).fit(epochs)"),
        ("A batch size that is not an int", "HAMNetClassifier(batch_size=2.5).fit(epochs)"),
        ("An unknown device", "HAMNetClassifier(device='tpu').fit(epochs)"),
        ("``device='cuda'`` on a machine without CUDA",
         "HAMNetClassifier(device='cuda').fit(epochs)", "no_cuda"),
        ("A network size that is inferred from the data",
         "HAMNetClassifier(module__n_chans=19).fit(epochs)"),
        ("A ``mirror`` that is not a HemisphereMirror",
         "HAMNetClassifier(mirror='names').fit(epochs)"),
        ("A channel without its left/right partner (O1 without O2)",
         "HAMNetClassifier().fit(epochs_unpaired)"),
        ("Predicting before fitting", "HAMNetClassifier().predict(epochs)"),
        ("Resuming before fitting", "HAMNetClassifier().resume(epochs)"),
        ("``warm_start=True``", "HAMNetClassifier(warm_start=True).fit(epochs)"),
        ("A mirror's parameter given to the classifier",
         "HAMNetClassifier(on_unpaired='warn').fit(epochs_unpaired)"),
        ("An unknown keyword argument", "HAMNetClassifier(pretrain_epoch=10).fit(epochs)"),
        ("``classes`` listing fewer classes than ``y`` holds",
         "HAMNetClassifier(classes=[1]).fit(epochs)"),
        ("An unknown ``on_interrupt``", "HAMNetClassifier(on_interrupt='stop').fit(epochs)"),
        ("Ctrl-C during a plain fit (here a callback raises ``KeyboardInterrupt`` in "
         "epoch 1): the classifier keeps what it learned and can ``resume``",
         "HAMNetClassifier(**quick, callbacks=[CtrlC()]).fit(epochs).predict(epochs)",
         "works"),
        ("Ctrl-C during a fit inside ``cross_val_score`` (or ``GridSearchCV``, MOABB, "
         "``evaluate``): the whole run stops, no half-trained fold is scored",
         "cross_val_score(HAMNetClassifier(**quick, callbacks=[CtrlC()]), epochs, "
         "epochs.events[:, 2], cv=2)", "ctrl_c"),
        ("A network argument that does not fit the data (bands above Nyquist)",
         "HAMNetClassifier(module__bands=[(40, 120)]).fit(epochs)"),
        ("A negative ``random_state``", "HAMNetClassifier(random_state=-5).fit(epochs)"),
        ("A numpy ``Generator`` as ``random_state``",
         "HAMNetClassifier(**{**quick, 'random_state': np.random.default_rng(0)})"
         ".fit(epochs)", "works"),
        ("``class_weight='balanced'`` on imbalanced classes",
         "HAMNetClassifier(class_weight='balanced', **quick)"
         ".fit(epochs[np.r_[0:20:2, 1, 3]])", "works"),
        ("An unknown ``class_weight``", "HAMNetClassifier(class_weight='auto').fit(epochs)"),
        ("``class_weight`` and ``criterion__weight`` together",
         "HAMNetClassifier(class_weight='balanced', criterion__weight=[1, 2], **quick)"
         ".fit(epochs)"),
        ("``criterion__weight`` as a list or array (made a float tensor)",
         "HAMNetClassifier(criterion__weight=[1, 2], **quick).fit(epochs)", "works"),
        ("``criterion__weight`` with more weights than classes",
         "HAMNetClassifier(criterion__weight=[1, 2, 3], **quick).fit(epochs)"),
        ("A mirror already fitted on the array's channels: used as is, not refitted",
         "HAMNetClassifier(mirror=mirror, sfreq=200.0, ch_names=ch_names, **quick)"
         ".fit(X, y)", "works"),
    ],
    "fitted": [
        ("Other channels than in fit", "clf.predict(epochs.copy().drop_channels(['Fp1']))"),
        ("The same channels in another order",
         "clf.predict(epochs.copy().reorder_channels(ch_names[::-1]))"),
        ("Another window length", "clf.predict(epochs.copy().crop(0, 0.5))"),
        ("Another sampling frequency", "clf.predict(epochs_100hz)"),
        ("Fewer channels in an array", "clf_x.predict(X[:, :-1])"),
        ("NaN in the windows to predict", "clf_x.predict(X_nan)"),
        ("Windows whose outputs overflow (1e30)", "clf_x.predict(X_1e30)"),
        ("A single window", "clf_x.predict(X[:1])", "works"),
        ("Labels unseen in fit, in ``partial_fit``",
         "clf_x.partial_fit(X, np.full(len(X), 7))"),
        ("Other data than in fit, in ``resume``", "clf_x.resume(X[:10], y[:10])"),
        ("Arrays in volts, to a classifier fitted in µV: used as given, with a warning",
         "clf_x.predict(X * 1e-6)", "works"),
        ("Epochs with other channels, to a classifier fitted on arrays",
         "clf_x.predict(epochs.copy().drop_channels(['Fp1']))"),
        ("Plotting without ``info=``: the fitted positions are kept in ``info_``",
         "clf.info_.get_montage().get_positions()", "works"),
        ("Arrays (µV, channels as in fit) to a classifier fitted on Epochs",
         "clf.predict(X)", "works"),
        ("``save_params`` into a folder that does not exist",
         "clf_x.save_params(f_params='no/such/folder/params.pt')"),
        ("An Evoked to predict", "clf.predict(epochs.average())"),
        ("Epochs with a channel marked bad after fit: named as such",
         "clf.predict(epochs_c4_bad)"),
        ("``score(epochs)`` without ``y``: the event codes", "clf.score(epochs)", "works"),
        ("``score`` of an array without ``y``", "clf_x.score(X)"),
        ("``set_params`` of the network on a fitted classifier with ``device='auto'``",
         "pickle.loads(pickle.dumps(clf)).set_params(module__n_spatial_filters=2)", "works"),
    ],
    "network": [
        ("A band edge at or above Nyquist (default bands at 100 Hz)",
         "HAMNet(n_chans=19, n_outputs=2, n_times=100, sfreq=100.0)"),
        ("Kernels longer than the window",
         "HAMNet(n_chans=19, n_outputs=2, n_times=30, sfreq=200.0)"),
        ("A size that is not a positive int",
         "HAMNet(n_chans=0, n_outputs=2, n_times=200, sfreq=200.0)"),
        ("An unknown band power path",
         "HAMNet(n_chans=19, n_outputs=2, n_times=200, sfreq=200.0, band_power='fast')"),
        ("A ``mirror_index`` of the wrong shape",
         "HAMNet(n_chans=3, n_outputs=2, n_times=200, sfreq=200.0, mirror_index=[1, 0])"),
        ("A ``mirror_index`` that is not its own inverse",
         "HAMNet(n_chans=3, n_outputs=2, n_times=200, sfreq=200.0, mirror_index=[1, 2, 0])"),
        ("Windows of another shape", "net(torch.zeros(4, 16, 200))"),
        ("NaN in one window: the module checks shapes, not values; that window's "
         "logits are NaN", "net.eval()(torch.as_tensor(X_nan))", "works"),
        ("``load_pretrained`` on a single-branch network", "net.load_pretrained(net)"),
        ("The ``'gamma'`` preset at 128 Hz: its bands pass Nyquist",
         "HAMNet(n_chans=19, n_outputs=2, n_times=128, sfreq=128.0, bands='gamma')"),
        ("The ``'mu-beta'`` preset at 100 Hz, with ``filter_length='auto'`` (0.4 s, "
         "41 taps)",
         "HAMNet(n_chans=19, n_outputs=2, n_times=100, sfreq=100.0, bands='mu-beta')",
         "works"),
        ("The ``'mu-beta'`` preset on 0.3 s windows: its 0.4 s kernels are cut to the window",
         "HAMNet(n_chans=19, n_outputs=2, n_times=30, sfreq=100.0, bands='mu-beta')",
         "works"),
    ],
    "fir": [
        ("Bands not given as (low, high) pairs", "fir_filter_bank(200.0, bands=[40, 42])"),
        ("A band with low >= high", "fir_filter_bank(200.0, bands=[(42, 40)])"),
        ("A band edge at or above Nyquist", "fir_filter_bank(100.0, bands=[(40, 50)])"),
        ("A sampling frequency that is not positive", "fir_filter_bank(-200.0)"),
        ("Fewer than 3 taps", "fir_filter_bank(200.0, filter_length=2)"),
        ("An unknown band preset", "fir_filter_bank(200.0, bands='alpha')"),
        ("The ``'gamma'`` preset at 100 Hz", "fir_filter_bank(100.0, bands='gamma')"),
        ("2 Hz bands with 41 taps at 1000 Hz: narrower than the filters resolve",
         "fir_filter_bank(1000.0, filter_length=41)", "works"),
        ("2 Hz bands at 1000 Hz with ``filter_length='auto'`` (201 taps)",
         "fir_filter_bank(1000.0)", "works"),
        ("The ``'gamma'`` preset at 160 Hz: the 3 bands whose filters do not close below "
         "Nyquist are dropped", "assert len(fir_filter_bank(160.0, bands='gamma')) == 15",
         "works"),
        ("An explicit band whose filter does not close below Nyquist (74-76 Hz at 160 Hz)",
         "fir_filter_bank(160.0, bands=[(40, 42), (74, 76)])", "works"),
    ],
    "mirror": [
        ("An array without ``ch_names``", "HemisphereMirror().fit(X)"),
        ("``ch_names`` that do not match the channels",
         "HemisphereMirror(ch_names=ch_names[:-1]).fit(X)"),
        ("A channel with no partner, not on the midline",
         "HemisphereMirror(ch_names=['Fp1', 'Fp2', 'C3']).fit(np.zeros((1, 3, 10)))"),
        ("The same name twice",
         "HemisphereMirror(ch_names=['C3', 'C3', 'C4']).fit(np.zeros((1, 3, 10)))"),
        ("Two names for one 10-05 site",
         "HemisphereMirror(ch_names=['Fp1', 'FP1.', 'Fp2']).fit(np.zeros((1, 3, 10)))"),
        ("``method='positions'`` without a montage",
         "HemisphereMirror(ch_names=['E1', 'E2'], method='positions')"
         ".fit(np.zeros((1, 2, 10)))"),
        ("An unknown method", "HemisphereMirror(method='nearest').fit(epochs)"),
        ("A tolerance that is not positive", "HemisphereMirror(tol=0).fit(epochs)"),
        ("A 1-D array", "mirror.fit(X[0, :, 0])"),
        ("A 2-D array of samples × channels", "mirror.transform(X[:, :, 0])", "works"),
        ("Transforming other channels than in fit", "mirror.transform(X[:, :-1])"),
        ("Transforming NaN", "mirror.transform(X_nan)"),
        ("Transforming before fitting", "HemisphereMirror().transform(X)"),
        ("EOG channels typed ``eog`` (or ``misc``): they map to themselves",
         "HemisphereMirror().fit(epochs_eog)", "works"),
        ("EGI names as an array, without positions",
         "HemisphereMirror(ch_names=egi_names).fit(np.zeros((1, 128, 2)))"),
        ("EGI names as an array, with ``montage=``",
         "HemisphereMirror(ch_names=egi_names, montage='GSN-HydroCel-128')"
         ".fit(np.zeros((1, 128, 2)))", "works"),
        ("EGI names in an Info without a montage",
         "HemisphereMirror().fit(mne.create_info(egi_names, 250.0, 'eeg'))"),
        ("A tolerance in another unit than metres", "HemisphereMirror(tol=10).fit(epochs)"),
        ("Both ``montage=`` and ``info=``",
         "HemisphereMirror(montage='biosemi64', info=epochs.info).fit(epochs)"),
        ("An unknown montage name", "HemisphereMirror(montage='egi128').fit(epochs)"),
        ("MNE's old template names (``'standard_1005'``, ``'colin27_1005'`` since "
         "MNE 1.13), without MNE's deprecation warning",
         "HemisphereMirror(ch_names=ch_names, montage='standard_1005', method='positions')"
         ".fit(X)", "works"),
        ("Epochs in a Pipeline under ``cross_val_score``: Epochs (or the list of Epochs "
         "scikit-learn hands over) in, Epochs out",
         "cross_val_score(make_pipeline(HemisphereMirror(), HAMNetClassifier(**quick)), "
         "epochs, cv=2)", "works"),
    ],
    "datasets": [
        ("No folder and ``MNE_DATASETS_SEED_PATH`` unset", "SEED()", "no_seed_config"),
        ("A folder that does not exist", "SEED(missing_dir)"),
        ("A folder without SEED's files", "SEED(empty_dir)"),
        ("A subject that is not in the folder", "SEED(seed_dir).get_data(subjects=[99])"),
        ("Simulating into a folder that holds data", "simulate_seed(seed_dir)"),
        ("A simulated rate at or below twice SEED's 75 Hz low-pass",
         "simulate_seed(new_dir, sfreq=100.0)"),
        ("A negative ``random_state``", "simulate_seed(new_dir, random_state=-1)"),
        ("Simulating at 1000 Hz: the rate travels with the folder",
         "assert SEED(simulate_seed(new_dir, n_subjects=1, n_sessions=1, n_trials=1, "
         "trial_seconds=1.0, sfreq=1000.0)).sfreq == 1000.0", "works"),
        ("A file as ``path``", "SEED(next(seed_dir.glob('1_*.mat')))"),
        ("A truncated ``.mat`` file", "SEED(truncated_dir).get_data(subjects=[1])"),
        ("A hidden macOS ``._*.mat`` file beside the data", "SEED(hidden_dir)", "works"),
        ("SEED's ``ExtractedFeatures`` folder", "SEED(features_dir)"),
    ],
    "paradigm": [
        ("A window that is not positive", "Emotion(window=0)"),
        ("An overlap outside [0, 1)", "Emotion(overlap=1.0)"),
        ("A window longer than every trial",
         "Emotion(window=10.0).get_data(SEED(seed_dir), [1])"),
        ("An event the data set does not have",
         "Emotion(events=['happy']).get_data(SEED(seed_dir), [1])"),
        ("One event name as a string", "Emotion(events='negative')"),
        ("A channel the data set does not have",
         "Emotion(channels=['O2', 'XX']).get_data(SEED(seed_dir), [1])"),
    ],
    "features": [
        ("Epochs with reordered channels at ``transform``",
         "de.transform(epochs.copy().reorder_channels(ch_names[::-1]))"),
        ("An array without ``sfreq``", "DifferentialEntropy().fit(X)"),
        ("DASM on an array without ``ch_names``",
         "DifferentialEntropy(kind='dasm', sfreq=200.0).fit(X)"),
        ("A band that is not a (low, high) pair",
         "DifferentialEntropy(bands={'alpha': 10}).fit(epochs)"),
        ("An unknown ``kind``", "DifferentialEntropy(kind='DE').fit(epochs)"),
        ("An unknown ``smooth``", "DifferentialEntropy(smooth='kalman').fit(epochs)"),
    ],
    "plots": [
        ("Mirror pairs of EGI Epochs, without ``info=``: the positions seen in fit",
         "plot_mirror_pairs(HemisphereMirror().fit(epochs_egi))", "works"),
        ("Mirror pairs of EGI names fitted as an array without positions",
         "plot_mirror_pairs(HemisphereMirror(ch_names=egi_names, on_unpaired='ignore')"
         ".fit(np.zeros((1, 128, 2))))"),
        ("A component out of range", "plot_spatial_filters(clf, components=[99])"),
        ("An unfitted classifier", "plot_temporal_filters(HAMNetClassifier())"),
        ("A frequency range beyond Nyquist", "plot_temporal_filters(clf, fmax=1000.0)"),
        ("Temporal responses in dB on the bands' range",
         "plot_temporal_filters(clf, dB=True)", "works"),
        ("Spatial filters of a fit on Epochs without a montage: 10-05 names placed by "
         "MNE's template", "plot_spatial_filters(clf_bare)", "works"),
    ],
    "evaluation": [
        ("An unknown pipeline name", "make_pipelines(['SVM'])"),
        ("An unknown protocol for the recipes",
         "make_pipelines(['DE+SVM'], protocol='cross_subject')"),
        ("An unknown protocol", "evaluate(pipes, seed, protocol='leaky')"),
        ("No pipeline", "evaluate({}, seed)"),
        ("A pipeline that is not an estimator", "evaluate({'x': 3}, seed)"),
        ("Cross-session with one session per subject",
         "evaluate(pipes, seed, protocol='cross-session')"),
        ("Cross-subject with one subject", "evaluate(pipes, seed, protocol='cross-subject')"),
        ("A subject that is not in the data set", "evaluate(pipes, seed, subjects=[5])"),
        ("Fewer than 2 folds", "evaluate(pipes, seed, n_splits=1)"),
        ("A number of jobs that is neither positive nor -1",
         "evaluate(pipes, seed, n_jobs=0)"),
        ("A negative ``random_state`` (``--random-state -5``)",
         "evaluate(pipes, seed, random_state=-5)"),
        ("More folds than a session has trials", "evaluate(pipes, seed, n_splits=4)"),
        ("A chronological split that trains on every trial",
         "evaluate(pipes, seed, protocol='chronological', chronological_split=3)"),
        ("A pipeline built for another sampling rate than the paradigm's",
         "evaluate({'x': HAMNetClassifier(sfreq=100.0)}, seed)"),
        ("A paradigm asking for events the data set lacks",
         "evaluate(pipes, seed, paradigm=Emotion(events=['happy']))"),
        ("An output folder that cannot be written (``--out``), checked before any fold",
         "from mne_hamnet.report import check_output_folder\n"
         "check_output_folder('/proc/mne-hamnet-out')"),
        ("A cache folder that cannot be written, checked before any fold",
         "evaluate(pipes, seed, cache_dir='/proc/mne-hamnet-cache')"),
        ("An empty output or cache folder (``--out ''``), which would mean the working "
         "folder", "evaluate(pipes, seed, cache_dir='')"),
        ("A folder starting with ``~`` that no shell expanded (``--out '~/runs'``): the "
         "home folder, not a folder named ``~``",
         "from mne_hamnet.report import check_output_folder\n"
         "with mock.patch.dict(os.environ, HOME=str(new_dir)):\n"
         "    assert check_output_folder('~/runs') == new_dir / 'runs'", "works"),
        ("``make_pipelines()`` with ``sfreq`` and ``ch_names`` left None: set from the "
         "paradigm's data", "evaluate(pipes, seed, protocol='paper', n_splits=2)", "works"),
        ("A bare ``HAMNetClassifier()`` on a data set: ``sfreq`` and ``ch_names`` from the "
         "paradigm's data",
         "evaluate({'HAMNet': HAMNetClassifier(**quick)}, seed, protocol='paper', n_splits=2)",
         "works"),
        ("Arrays given to a pipeline built without ``sfreq`` (outside ``evaluate``)",
         "make_pipelines(['CSP+LDA'])['CSP+LDA'].fit(X, y)"),
        ("``mne-hamnet`` without a command: the help, on stderr, and exit status 2",
         "from mne_hamnet.cli import main\n"
         "with contextlib.redirect_stderr(io.StringIO()):\n"
         "    assert main([]) == 2", "works"),
        ("CSP+LDA at ``verbose=0``: MNE's log of each CSP fit is not shown",
         "make_pipelines(['CSP+LDA'], bands='mu-beta')['CSP+LDA'].fit(epochs, y)", "works"),
        ("braindecode installed beside a torch its torchaudio was not built for (its "
         "import fails with an ``OSError``)", "make_pipelines(['EEGNet'])",
         "broken_braindecode"),
    ],
}

CH_NAMES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8",
            "P7", "P3", "Pz", "P4", "P8", "O1", "O2"]
MAX_MESSAGE = 420


def make_namespace(folder):
    """Build the objects the cases use, small enough to take a second or two.

    Parameters
    ----------
    folder : pathlib.Path
        An empty scratch folder for the data-set cases.

    Returns
    -------
    namespace : dict
        The names the cases' code may use.
    """
    import mne
    import numpy as np
    import torch
    from scipy import sparse
    from sklearn.model_selection import cross_val_score

    from mne_hamnet import HAMNet, HAMNetClassifier, HemisphereMirror, fir_filter_bank
    from mne_hamnet._montage import standard_montage

    rng = np.random.default_rng(0)
    n_windows, sfreq, n_times = 20, 200.0, 200
    X = (10.0 * rng.standard_normal((n_windows, len(CH_NAMES), n_times))).astype(np.float32)
    y = np.arange(n_windows) % 2
    events = np.column_stack([np.arange(n_windows) * n_times, np.zeros(n_windows, int), y + 1])

    def epochs_at(rate, names=CH_NAMES, types="eeg"):
        info = mne.create_info(names, rate, types)
        if types == "eeg":
            info.set_montage(standard_montage("1005"))
        data = X[:, [CH_NAMES.index(name) for name in names]]
        return mne.EpochsArray(data * 1e-6, info, events=events, verbose=False)

    def with_value(value, dtype=np.float32):
        """X with one value replaced, the first sample of the first channel."""
        out = X.astype(dtype)
        out[0, 0, 0] = value
        return out

    quick = dict(pretrain_epochs=1, finetune_epochs=1, verbose=0, random_state=0)
    epochs = epochs_at(sfreq)
    raw = mne.io.RawArray(np.concatenate(list(epochs.get_data()), axis=1), epochs.info,
                          verbose=False)
    raw.save(folder / "lazy_raw.fif", verbose=False)
    epochs_lazy = mne.Epochs(
        mne.io.read_raw_fif(folder / "lazy_raw.fif", preload=False, verbose=False),
        events, tmin=0.0, tmax=(n_times - 1) / sfreq, baseline=None, preload=False,
        verbose=False)
    X_flat = X.copy()
    X_flat[:, 3] = 0.0
    namespace = dict(
        np=np, torch=torch, sparse=sparse, HAMNet=HAMNet, HAMNetClassifier=HAMNetClassifier,
        HemisphereMirror=HemisphereMirror, fir_filter_bank=fir_filter_bank,
        ch_names=list(CH_NAMES), X=X, y=y, X_flat=X_flat,
        X_nan=with_value(np.nan), X_1e6=with_value(1e6), X_1e20=with_value(1e20),
        X_1e30=with_value(1e30), X_1e39=with_value(1e39, np.float64),
        epochs=epochs, epochs_lazy=epochs_lazy, quick=quick,
        cross_val_score=cross_val_score,
        epochs_100hz=epochs_at(100.0),
        epochs_misc=epochs_at(sfreq, types="misc"),
        epochs_unpaired=epochs_at(sfreq, names=CH_NAMES[:-1]),
        raw=mne.io.RawArray(X[0] * 1e-6, mne.create_info(CH_NAMES, sfreq, "eeg"),
                            verbose=False),
        clf_array=HAMNetClassifier(sfreq=sfreq, ch_names=list(CH_NAMES), **quick),
        net=HAMNet(n_chans=len(CH_NAMES), n_outputs=2, n_times=n_times, sfreq=sfreq),
        mirror=HemisphereMirror(ch_names=list(CH_NAMES)).fit(X),
    )
    egi = mne.channels.make_standard_montage("GSN-HydroCel-128")
    epochs_eog = epochs_at(sfreq)
    epochs_eog.add_channels([mne.EpochsArray(
        X[:, :2] * 1e-6, mne.create_info(["EOG1", "EOG2"], sfreq, "eog"), events=events,
        verbose=False)])
    info_egi = mne.create_info(egi.ch_names, 250.0, "eeg")
    info_egi.set_montage(egi)
    namespace.update(mne=mne, egi_names=list(egi.ch_names), epochs_eog=epochs_eog,
                     epochs_egi=info_egi)
    from mne_hamnet.features import DifferentialEntropy
    from mne_hamnet.viz import plot_mirror_pairs, plot_spatial_filters, plot_temporal_filters

    namespace.update(
        DifferentialEntropy=DifferentialEntropy, de=DifferentialEntropy().fit(namespace["epochs"]),
        plot_mirror_pairs=plot_mirror_pairs, plot_spatial_filters=plot_spatial_filters,
        plot_temporal_filters=plot_temporal_filters,
    )
    from skorch.callbacks import Callback

    class CtrlC(Callback):
        """Raise KeyboardInterrupt at the end of epoch 1, as Ctrl-C would."""

        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 1:
                raise KeyboardInterrupt

    namespace.update(CtrlC=CtrlC, contextlib=contextlib, io=io)
    namespace["clf"] = HAMNetClassifier(**quick).fit(namespace["epochs"])
    import pickle

    from sklearn.pipeline import make_pipeline

    epochs_c4_bad = namespace["epochs"].copy()
    epochs_c4_bad.info["bads"] = ["C4"]
    namespace.update(
        pickle=pickle, make_pipeline=make_pipeline, epochs_c4_bad=epochs_c4_bad,
        offset=np.linspace(3000.0, 5000.0, len(CH_NAMES), dtype=np.float32)[:, None],
        clf_bare=HAMNetClassifier(**quick).fit(namespace["epochs"].copy().set_montage(None)),
    )
    namespace["clf_x"] = HAMNetClassifier(sfreq=sfreq, ch_names=list(CH_NAMES),
                                          **quick).fit(X, y)
    try:
        from mne_hamnet.datasets import SEED, simulate_seed
        from mne_hamnet.paradigms import Emotion
    except ImportError:  # the data-set cases need MOABB
        return namespace
    (folder / "empty").mkdir()
    namespace.update(
        SEED=SEED, simulate_seed=simulate_seed, Emotion=Emotion,
        seed_dir=simulate_seed(folder / "seed", n_subjects=1, n_sessions=1, n_trials=3,
                               trial_seconds=2.0, random_state=0),
        missing_dir=folder / "missing", empty_dir=folder / "empty", new_dir=folder / "new",
    )
    _seed_variants(folder, namespace)
    try:
        from mne_hamnet.evaluation import evaluate
        from mne_hamnet.pipelines import make_pipelines
    except ImportError:  # not written yet
        return namespace
    namespace.update(
        evaluate=evaluate, make_pipelines=make_pipelines, os=os, mock=mock,
        pipes=make_pipelines(["DE+SVM"]), seed=SEED(namespace["seed_dir"]),
    )
    return namespace


def _seed_variants(folder, namespace):
    """Broken or unusual copies of ``seed_dir``: truncated, with hidden files,
    and SEED's ExtractedFeatures layout."""
    import shutil

    import numpy as np
    from scipy.io import savemat

    seed_dir = namespace["seed_dir"]
    for name in ("truncated", "hidden"):
        shutil.copytree(seed_dir, folder / name)
        namespace[f"{name}_dir"] = folder / name
    fname = next((folder / "truncated").glob("1_*.mat"))
    fname.write_bytes(fname.read_bytes()[: fname.stat().st_size // 2])
    (folder / "hidden" / "._1_20131027.mat").write_bytes(b"\x00\x05\x16\x07")
    features = folder / "ExtractedFeatures"
    features.mkdir()
    savemat(features / "1_20131027.mat", {f"de_LDS{k}": np.zeros((62, 2, 5))
                                          for k in range(1, 4)})
    savemat(features / "label.mat", {"label": np.array([[1, 0, -1]])})
    namespace["features_dir"] = features


@contextlib.contextmanager
def _no_cuda():
    with mock.patch("torch.cuda.is_available", return_value=False):
        yield


@contextlib.contextmanager
def _no_seed_config():
    import mne

    with mock.patch.dict(os.environ), mock.patch.object(mne, "get_config", return_value=None):
        os.environ.pop("MNE_DATASETS_SEED_PATH", None)
        yield


@contextlib.contextmanager
def _broken_braindecode():
    import importlib

    real = importlib.import_module

    def import_module(name, *args):
        if name == "braindecode":
            # what torchaudio 2.11 beside torch 2.13 raises inside braindecode's import
            raise OSError("libtorchaudio.so: undefined symbol: torch_library_impl")
        return real(name, *args)

    with mock.patch.object(importlib, "import_module", import_module):
        yield


_CONTEXTS = {"no_cuda": _no_cuda, "no_seed_config": _no_seed_config,
             "broken_braindecode": _broken_braindecode}


def run_cases(sections=None):
    """Run the cases and capture what each raises.

    Parameters
    ----------
    sections : list of str | None
        The sections of :data:`CASES` to run; None runs all.

    Returns
    -------
    results : dict
        ``{section: [(what, code, works, error, message, warned), ...]}``:
        ``works`` is whether the case is declared to work, ``error`` the name
        of the exception raised (None if none was), ``message`` its message
        and ``warned`` the warnings given. A section whose names can't be
        built (e.g. MOABB missing) is left out.
    """
    import torch

    sections = list(CASES) if sections is None else sections
    results = {}
    n_threads = torch.get_num_threads()
    # the networks here are tiny: threads would cost more than they give
    torch.set_num_threads(1)
    try:
        _run_sections(sections, results)
    finally:
        torch.set_num_threads(n_threads)
    return results


def _run_sections(sections, results):
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        # building the namespace may warn (MNE, MOABB); that is not the point
        warnings.simplefilter("ignore")
        folder = Path(tmp)
        namespace = make_namespace(folder)
        for section in sections:
            if _NEEDS.get(section, "np") not in namespace:
                continue
            results[section] = [_run(case, namespace, folder) for case in CASES[section]]


def _run(case, namespace, folder):
    """Run one case: ``(what, code, works, error, message, warned)``."""
    what, code = case[:2]
    flags = case[2].split(",") if len(case) > 2 else []
    works = "works" in flags
    contexts = [_CONTEXTS[flag]() for flag in flags if flag not in ("works", "ctrl_c")]
    error, message, warned = None, "", []
    # a case flagged ctrl_c shows a KeyboardInterrupt as its result; elsewhere
    # Ctrl-C stops the build as usual
    caught_errors = (Exception, KeyboardInterrupt) if "ctrl_c" in flags else Exception
    with contextlib.ExitStack() as stack, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for context in contexts:
            stack.enter_context(context)
        try:
            exec(code, dict(namespace))  # our own snippets, from CASES
        except caught_errors as err:  # the error is the result
            error, message = type(err).__name__, str(err)
    for w in caught:
        text = f"{w.category.__name__}: {_clean(str(w.message), folder)}"
        # only warnings about the input; libraries' deprecation notices are noise
        if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning,
                                       FutureWarning)) and text not in warned:
            warned.append(text)
    return what, code, works, error, _clean(message, folder), warned


# Sections that need the optional data-set and evaluation modules (and MOABB).
_NEEDS = {"datasets": "SEED", "paradigm": "Emotion", "evaluation": "evaluate",
          "features": "DifferentialEntropy"}


def _clean(message, folder):
    """Drop the scratch folder's path and shorten very long messages."""
    for path in {str(folder), os.path.realpath(folder)}:
        message = message.replace(path, "\u2026")
    message = re.sub(r"\s+", " ", message).strip()
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1].rstrip() + "\u2026"
    return message


def problems(results):
    """Cases that do not behave as declared.

    Parameters
    ----------
    results : dict
        What :func:`run_cases` returns.

    Returns
    -------
    problems : list of str
        One line per error case that raised nothing and per "works" case
        that raised.
    """
    out = []
    for section, rows in results.items():
        for what, code, works, error, message, _ in rows:
            if works and error is not None:
                out.append(f"[{section}] {code!r} ({what}) should work but raised "
                           f"{error}: {message}")
            elif not works and error is None:
                out.append(f"[{section}] {code!r} ({what}) raised no error")
    return out


# --------------------------------------------------------------- Sphinx side
def _table(rows):
    from docutils import nodes

    table = nodes.table(classes=["bad-input", "colwidths-given"])
    group = nodes.tgroup(cols=3)
    table += group
    for width in (26, 32, 42):
        group += nodes.colspec(colwidth=width)

    def row(cells):
        tr = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell
            tr += entry
        return tr

    head = nodes.thead()
    head += row([nodes.paragraph(text=title) for title in ("Input", "Code", "Result")])
    group += head
    body = nodes.tbody()
    for what, code, works, error, message, warned in rows:
        what_par = nodes.paragraph()
        # ``name`` in the descriptions marks code
        for k, part in enumerate(what.split("``")):
            what_par += nodes.literal(text=part) if k % 2 else nodes.Text(part)
        code_par = nodes.paragraph()
        code_par += nodes.literal(text=code)
        result = []
        if works:
            par = nodes.paragraph()
            par += nodes.emphasis(text="works")
            result.append(par)
            for text in warned:
                name, _, rest = text.partition(": ")
                par = nodes.paragraph()
                par += nodes.Text("warns ")
                par += nodes.strong(text=name)
                par += nodes.Text(": " + rest)
                result.append(par)
        else:
            par = nodes.paragraph()
            par += nodes.strong(text=error)
            par += nodes.Text(": " + message)
            result.append(par)
        body += row([what_par, code_par, result])
    group += body
    return table


def setup(app):
    """Register the ``bad-input-table`` directive.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The Sphinx application.

    Returns
    -------
    metadata : dict
        Extension metadata.
    """
    from docutils.parsers.rst import Directive
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    cache = {}

    class BadInputTable(Directive):
        required_arguments = 1

        def run(self):
            section = self.arguments[0]
            env = self.state.document.settings.env
            location = (env.docname, self.lineno)
            if section not in CASES:
                logger.warning("bad-input-table: unknown section %r; known: %s", section,
                               list(CASES), location=location)
                return []
            if "results" not in cache:
                cache["results"] = run_cases()
            # re-read the page whenever the package's sources change
            package = Path(__import__("mne_hamnet").__file__).parent
            for source in sorted(package.rglob("*.py")):
                env.note_dependency(str(source))
            rows = cache["results"].get(section)
            if rows is None:
                logger.warning("bad-input-table: section %r could not run (missing "
                               "optional dependency?)", section, location=location)
                return []
            for problem in problems({section: rows}):
                logger.warning("bad-input-table: %s; update docs/sphinxext/bad_input.py",
                               problem, location=location)
            return [_table(rows)]

    app.add_directive("bad-input-table", BadInputTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
