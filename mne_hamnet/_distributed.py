"""Running folds on a dask.distributed cluster through joblib's dask backend."""

from contextlib import contextmanager

from joblib import parallel_config

from ._logging import logger

# Seconds to wait for the scheduler to answer, and for a first worker.
CONNECT_TIMEOUT = 30
WORKER_TIMEOUT = 60


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
        workers = client.scheduler_info(n_workers=-1)["workers"]
        logger.info(
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
