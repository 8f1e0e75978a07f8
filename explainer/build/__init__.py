"""The build machinery, beside the flow it runs: ``pipeline`` executes the notebooks that are out
of date (in warm ``kernels`` forked by a ``zygote``), ``freshness`` skips unchanged steps,
``generated`` guards generated files against hand edits and checks the committed state (in a
``project_copy``), ``verify`` rebuilds every table in memory for ``make check``, ``readme`` writes
the README's generated parts, ``progress`` prints one whole line per event."""
