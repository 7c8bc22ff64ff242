"""Which torch device a fit runs on, and seeding that leaves the user's RNG alone."""

import contextlib

import torch

__all__ = ["resolve_device", "seeded"]


def resolve_device(device):
    """Turn the ``device`` parameter into a concrete torch device string.

    Parameters
    ----------
    device : str | torch.device | None
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``,
        ``"cuda:N"``, a :class:`torch.device`, or None for the CPU.

    Returns
    -------
    device : str
        A device torch accepts and that exists on this machine.
    """
    if device is None:
        return "cpu"
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as err:
        raise ValueError(
            "Invalid value for the 'device' parameter. Allowed values are 'auto', "
            f"'cpu', 'cuda', 'cuda:N' or a torch.device, but got {device!r}."
        ) from err
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"device={device!r} was requested, but CUDA is not available on this "
            "machine (torch.cuda.is_available() is False). Use device='auto' or "
            "'cpu'."
        )
    return str(resolved)


@contextlib.contextmanager
def seeded(random_state):
    """Seed torch inside the block and restore the global RNG state after it.

    With ``random_state=None`` nothing is seeded or restored. Seeding a fit
    must not reseed the user's session, so the state of the CPU generator and
    of every CUDA device is forked.
    """
    if random_state is None:
        yield
        return
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(random_state)
        yield


@contextlib.contextmanager
def device_set_to(net, device):
    """Let skorch see a concrete ``device`` inside the block, keeping the parameter as set.

    skorch reads ``net.device`` throughout fit and predict and knows no
    ``"auto"``; scikit-learn forbids changing a parameter in ``fit``. So the
    resolved device is set for the duration of the call and the user's value
    is put back afterwards.
    """
    requested = net.device
    net.device = device
    try:
        yield
    finally:
        net.device = requested
