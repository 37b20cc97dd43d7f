"""Large-data tests on a real 2-worker Dask LocalCluster: the same results as on one machine, and
the same results when a worker is killed in the middle of a pass (Dask recomputes what it held)."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from twosample import scale

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _write(directory, seed, shift, files=4, rows=60_000, groups=6):
    rng = np.random.default_rng(seed)
    directory.mkdir()
    for f in range(files):
        frame = pd.DataFrame(
            {
                "a": rng.normal(shift, 1, rows),
                "b": rng.exponential(1, rows),
                "c": rng.choice(["p", "q", "r", "s"], rows),
            }
        )
        pq.write_table(pa.Table.from_pandas(frame), directory / f"part-{f}.parquet", row_group_size=rows // groups)
    return str(directory)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    return _write(root / "x", 1, 0.0), _write(root / "y", 2, 0.02)


def _run(x, y, **kwargs):
    res = scale.compare(x, y, rng=3, n_resamples=199, sample_size=5000, bins=256, **kwargs)
    return res.to_dict()


def test_a_cluster_gives_the_local_result(client, data):
    assert _run(*data, client=client) == _run(*data, client=False)
    assert _run(*data) == _run(*data, client=False)  # the active client is used when none is given


def test_a_killed_worker_changes_nothing(client, data):
    expected = _run(*data, client=False)
    pids = client.run(os.getpid)
    killed = {}

    def kill_one():
        address, pid = sorted(pids.items())[0]
        deadline = time.monotonic() + 60
        while not done.is_set() and time.monotonic() < deadline:  # until the worker is busy with a task
            if client.processing().get(address):
                break
            time.sleep(0.02)
        killed["running"] = not done.is_set()
        os.kill(pid, signal.SIGKILL)

    done = threading.Event()
    killer = threading.Thread(target=kill_one)
    killer.start()
    result = _run(*data, client=client)
    done.set()
    killer.join()
    assert killed["running"], "the pass ended before the worker was killed: the test did not test"
    assert result == expected
    client.wait_for_workers(2, timeout=60)
