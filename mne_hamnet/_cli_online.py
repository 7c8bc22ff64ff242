"""The ``mne-hamnet online`` and ``mne-hamnet play`` commands."""

import sys
import time


def add_online_commands(commands):
    """Add the ``online`` and ``play`` subcommands to the command line's subparsers."""
    online = commands.add_parser(
        "online",
        help="decode a live LSL stream with a fitted classifier",
        description=(
            "Connect to an LSL stream (a headset, or 'mne-hamnet play'), cut a window of "
            "the model's length every --step seconds and print the latest class, its "
            "probability and the latency (window end to prediction) p50/p99. Stops on "
            "Ctrl-C, after --duration, or when the stream stops; --out holds every "
            "prediction made."
        ),
    )
    online.add_argument("--model", required=True, metavar="FILE",
                        help="a fitted classifier saved with pickle or joblib (a file you "
                        "trust: loading a pickle runs code)")
    online.add_argument("--stream", required=True, metavar="NAME", help="the LSL stream's name")
    online.add_argument("--source-id", default=None, metavar="ID",
                        help="the stream's source id, when several streams share the name")
    online.add_argument("--step", type=float, default=0.1,
                        help="seconds between two windows (default: 0.1)")
    online.add_argument("--smooth", type=int, default=1,
                        help="average the probabilities of the last N windows (default: 1)")
    online.add_argument("--duration", type=float, default=None, metavar="S",
                        help="stop after S seconds (default: run until Ctrl-C or the "
                        "stream stops)")
    online.add_argument("--out", default=None, metavar="CSV",
                        help="write the predictions (timestamp, label, latency, one "
                        "probability column per class) to this CSV file")
    online.add_argument("--l-freq", type=float, default=None,
                        help="causal band-pass: lower edge in Hz (train with "
                        "mne_hamnet.online.causal_filter and the same edges)")
    online.add_argument("--h-freq", type=float, default=None,
                        help="causal band-pass: upper edge in Hz")
    online.add_argument("--outlet", nargs="?", const=True, default=False, metavar="NAME",
                        help="publish the probabilities on an LSL outlet (default name: "
                        "the stream's name plus '-hamnet')")
    online.add_argument("--timeout", type=float, default=0.5,
                        help="seconds without a sample after which the stream counts as "
                        "stopped (default: 0.5)")
    online.add_argument("-v", "--verbose", action="store_true", help="log everything")
    online.set_defaults(run_command=_online)

    play = commands.add_parser(
        "play",
        help="stream a recording (or a simulated one) on LSL, as a headset would",
        description=(
            "Stream any file MNE reads (mne.io.read_raw), or with --simulated a simulated "
            "recording whose class changes every 5 s, through MNE-LSL's PlayerLSL, in "
            "real time, in a loop, until Ctrl-C."
        ),
    )
    play.add_argument("file", nargs="?", default=None, metavar="FILE",
                      help="the recording (.fif, .edf, .bdf, .set, .vhdr, ...)")
    play.add_argument("--simulated", action="store_true",
                      help="play mne_hamnet.online.simulate_recording() instead of a file")
    play.add_argument("--name", default=None,
                      help="the stream's name (default: the file's name, or "
                      "'hamnet-simulated')")
    play.add_argument("--source-id", default="mne-hamnet", metavar="ID",
                      help="the stream's source id (default: mne-hamnet)")
    play.add_argument("--chunk-size", type=int, default=None,
                      help="samples per pushed chunk (default: about 10 ms of samples)")
    play.add_argument("--repeat", type=int, default=None, metavar="N",
                      help="play the recording N times, then stop (default: loop)")
    play.add_argument("-v", "--verbose", action="store_true", help="log everything")
    play.set_defaults(run_command=_play)


def _usage_error(err):
    from ._cli_errors import UsageError, _cli_message

    return UsageError(_cli_message(err))


def _load_model(path):
    import joblib

    try:
        model = joblib.load(path)
    except FileNotFoundError:
        raise _usage_error(f"--model: no file {path!r}.") from None
    except Exception as err:  # noqa: BLE001 (any unpickling failure is the file's)
        raise _usage_error(
            f"--model: {path!r} could not be loaded with joblib/pickle "
            f"({type(err).__name__}: {err})."
        ) from None
    if not hasattr(model, "predict_proba"):
        raise _usage_error(
            f"--model: {path!r} holds a {type(model).__name__}, not a classifier with "
            "predict_proba."
        )
    return model


def _online(args):
    from .online import OnlineDecoder

    model = _load_model(args.model)
    stream = args.stream if args.source_id is None else (args.stream, args.source_id)
    try:
        decoder = OnlineDecoder(
            model, stream, step=args.step, smooth=args.smooth, l_freq=args.l_freq,
            h_freq=args.h_freq, outlet=args.outlet, timeout=args.timeout,
        )
        decoder.connect()
    except (ValueError, TypeError, ImportError, RuntimeError, OSError) as err:
        raise _usage_error(err) from None
    live = _LiveLine(decoder, interactive=sys.stdout.isatty())
    spec = decoder.spec
    print(f"Decoding {decoder.stream.name!r} with {type(model).__name__}: "
          f"{len(spec.ch_names)} channels at {spec.sfreq:g} Hz, windows of "
          f"{spec.n_times / spec.sfreq:.3g} s every {decoder.hop / spec.sfreq:.3g} s"
          + (f"; predictions to {args.out}" if args.out else "") + ". Ctrl-C stops.",
          flush=True)
    try:
        for prediction in decoder.iter_predictions(args.duration, out=args.out):
            live.update(prediction)
    except (ValueError, OSError) as err:
        raise _usage_error(err) from None
    except KeyboardInterrupt:
        decoder.stop_reason = "interrupted"
    finally:
        decoder.close()
    live.finish()
    p50, p99 = decoder.latency_percentiles()
    print(f"Stopped ({decoder.stop_reason}) after {len(decoder.predictions)} predictions; "
          f"latency p50 {p50 * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms"
          + (f"; written to {args.out}" if args.out else "") + ".", flush=True)
    return 0


class _LiveLine:
    """The latest class, its probability and the latency so far, on one line."""

    def __init__(self, decoder, interactive):
        self.decoder, self.interactive = decoder, interactive
        self.last_print = 0.0

    def update(self, prediction):
        now = time.monotonic()
        # a terminal line is rewritten ten times a second; a log gets one line a second
        if now - self.last_print < (0.1 if self.interactive else 1.0):
            return
        self.last_print = now
        p50, p99 = self.decoder.latency_percentiles()
        line = (f"{prediction.label!s:>10}  p={prediction.proba.max():.2f}  latency "
                f"p50 {p50 * 1e3:6.1f} ms  p99 {p99 * 1e3:6.1f} ms  "
                f"[{len(self.decoder.predictions)} windows]")
        if self.interactive:
            print("\r" + line, end="", flush=True)
        else:
            print(line, flush=True)

    def finish(self):
        if self.interactive and self.last_print:
            print()


def _play(args):
    from ._online_stream import import_mne_lsl

    if (args.file is None) == (not args.simulated):
        raise _usage_error("give either a FILE to play or --simulated (not both).")
    try:
        import_mne_lsl()
    except ImportError as err:
        raise _usage_error(err) from None
    from mne_lsl.player import PlayerLSL

    raw, default_name = _recording(args)
    name = args.name or default_name
    chunk = args.chunk_size or max(1, int(round(raw.info["sfreq"] * 0.01)))
    if chunk < 1 or (args.repeat is not None and args.repeat < 1):
        raise _usage_error("--chunk-size and --repeat must be positive integers.")
    import numpy as np

    # MNE-LSL tells "loop" by identity with np.inf
    n_repeat = np.inf if args.repeat is None else args.repeat
    player = PlayerLSL(raw, chunk_size=chunk, n_repeat=n_repeat, name=name,
                       source_id=args.source_id, annotations=False)
    player.start()
    print(f"Streaming {name!r} (source id {args.source_id!r}): {len(raw.ch_names)} channels "
          f"at {raw.info['sfreq']:g} Hz, {raw.times[-1] + 1 / raw.info['sfreq']:.1f} s "
          + ("in a loop" if args.repeat is None else f"x {args.repeat}")
          + ". Ctrl-C stops.", flush=True)
    try:
        while player.running:
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        if player.running:
            player.stop()
    print("Stopped.", flush=True)
    return 0


def _recording(args):
    if args.simulated:
        from .online import simulate_recording

        return simulate_recording(), "hamnet-simulated"
    from pathlib import Path

    import mne

    try:
        raw = mne.io.read_raw(args.file, preload=True, verbose=False)
    except (FileNotFoundError, ValueError, OSError, RuntimeError) as err:
        raise _usage_error(f"cannot read {args.file!r} with MNE: {err}") from None
    return raw, Path(args.file).stem
