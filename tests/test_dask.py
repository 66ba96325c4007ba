"""--engine dask: the same per-report work on a Dask cluster, the same bytes as a local run.

Starts a two-worker cluster on the loopback interface only, and always stops it.
"""

from __future__ import annotations

import pytest

from pipeline import run
from pipeline.settings import Settings
from tests.scale_corpus import files, make_corpus


@pytest.fixture()
def cluster():
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    # ingest extracts PDF/HTML in a child process: workers must be allowed children
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
        )
    try:
        yield cluster
    finally:
        cluster.close()


def test_dask_cluster_output_equals_local_run(repo, tmp_path, nlp, cluster):
    corpus = make_corpus(repo, tmp_path, n_copies=1)
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    local = run.extract(corpus, tmp_path / "local", Settings(progress=False, jobs=1), nlp=nlp)
    settings = Settings(progress=False, engine="dask", scheduler=cluster.scheduler_address, task_size=2,
                        cache_dir=str(tmp_path / "cache"))
    remote = run.extract(corpus, tmp_path / "dask", settings)
    assert files(tmp_path / "local") == files(tmp_path / "dask")
    assert (remote.n_inputs, remote.n_failed) == (local.n_inputs, local.n_failed)
    # the workers wrote the per-report partitions into the shared store; a rerun reuses them
    assert list((tmp_path / "cache").rglob("*.bin"))
    again = run.extract(corpus, tmp_path / "dask2", settings)
    assert again.n_cached == local.n_inputs - 4 and files(tmp_path / "dask2") == files(tmp_path / "local")
