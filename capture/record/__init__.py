"""The recorder, one small module per job (``capture.recorder`` is the facade that joins them):

* :mod:`.options` — what a run is asked to do (:class:`RecordOptions`) and what happened (:class:`Outcome`);
* :mod:`.pool` — the browser (or the ``--connect`` endpoints), relaunched when it dies;
* :mod:`.schedule` — ``jobs`` pages at a time, a normal page and its 关怀版 as one job;
* :mod:`.retry` — which failures are worth another attempt, backoff, Retry-After and the deadline;
* :mod:`.page` — driving one page: load, readiness, the 关怀版 link, collecting a bundle's files;
* :mod:`.staging` — a bundle written into its staging folder, HARs merged and replayed.
"""
