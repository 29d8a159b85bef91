"""One Lambda handler module per benchmarked variant (see docs/benchmarks.md).

`ref_*` modules implement the reference workload (5 log lines, 10 metric points, 3 client
calls); `real_*` modules run naver-sms's real handler. Each is written the way the variant's
own documentation instruments a function; they share the workload in
:mod:`benchmarks.workload` so the work itself is identical.
"""
