"""Running folds on a dask.distributed cluster through joblib's dask backend."""

import logging
import os
from contextlib import contextmanager

from joblib import parallel_config

from ._logging import PROGRESS_LOGGER, logger, warn

# Seconds to wait for the scheduler to answer, and for a first worker.
CONNECT_TIMEOUT = 30
WORKER_TIMEOUT = 60
#: The dask setting that starts worker processes without MALLOC_TRIM_THRESHOLD_.
NO_MALLOC_TRIM = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ImportError(
            "Running on a dask cluster (scheduler=...) needs dask.distributed, which "
            "cannot be imported. Install the extra with: "
            "pip install 'mne-hamnet[distributed]'."
        ) from None
    return distributed


def check_scheduler(scheduler):
    """Check that ``scheduler`` names a dask scheduler that answers.

    Parameters
    ----------
    scheduler : str | distributed.Client
        A scheduler address such as ``"tcp://127.0.0.1:8786"``, or a client.

    Returns
    -------
    n_workers : int
        The number of workers connected to it now.
    """
    distributed = _import_distributed()
    if isinstance(scheduler, distributed.Client):
        return len(scheduler.scheduler_info(n_workers=-1)["workers"])
    if not isinstance(scheduler, str) or not scheduler:
        raise ValueError(
            "scheduler must be a dask scheduler address such as 'tcp://host:8786' or a "
            f"distributed.Client, but got {scheduler!r}."
        )
    try:
        with distributed.Client(
            scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False
        ) as client:
            return len(client.scheduler_info(n_workers=-1)["workers"])
    except (OSError, TimeoutError) as err:
        raise OSError(
            f"Could not connect to the dask scheduler at {scheduler!r} within "
            f"{CONNECT_TIMEOUT} s: {err}"
        ) from None


@contextmanager
def dask_backend(scheduler):
    """Run joblib's ``Parallel`` calls inside on the cluster of ``scheduler``.

    Each joblib task becomes one dask task (``batch_size=1`` in the caller):
    when a worker dies, the scheduler runs again only the tasks that were on
    it, on the workers left, and the tasks already finished stay done.

    Parameters
    ----------
    scheduler : str | distributed.Client
        A scheduler address, or a client (left open).
    """
    distributed = _import_distributed()
    if isinstance(scheduler, distributed.Client):
        client, own = scheduler, False
    else:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        own = True
    try:
        _check_workers_malloc(client)
        workers = client.scheduler_info(n_workers=-1)["workers"]
        logging.getLogger(PROGRESS_LOGGER).info(
            "Running the folds on the dask cluster at %s (%d workers, %d threads)",
            client.scheduler.address, len(workers),
            sum(w.get("nthreads", 0) for w in workers.values()),
        )
        with parallel_config(
            backend="dask", client=client, wait_for_workers_timeout=WORKER_TIMEOUT
        ):
            yield client
    finally:
        if own:
            client.close()


def _malloc_trim_threshold():
    """Return the worker's MALLOC_TRIM_THRESHOLD_; runs on each worker."""
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def _check_workers_malloc(client):
    """Warn when the workers run with dask's default MALLOC_TRIM_THRESHOLD_.

    dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536`` to hand
    freed memory back to the system. Setting it also turns off glibc's
    adaptive mmap threshold, so every tensor above 128 kB is mapped and
    unmapped again at each training step: HAMNet's fits ran about 2 times
    slower on such workers.
    """
    try:
        values = client.run(_malloc_trim_threshold)
    except Exception as err:  # a worker that can't import mne_hamnet fails later, clearly
        logger.debug("Could not read the workers' environment: %s", err)
        return
    slowed = sorted(worker for worker, value in values.items() if value is not None)
    if slowed:
        warn(
            f"{len(slowed)} of the {len(values)} dask workers run with "
            f"MALLOC_TRIM_THRESHOLD_={values[slowed[0]]} (dask's default), which makes "
            "HAMNet's fits about 2 times slower. Start the workers with the dask setting "
            "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_ set to null "
            "(see 'Running on a cluster' in the documentation)."
        )
