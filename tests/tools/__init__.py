"""Developer tools berita's users never import: the benchmark and the fuzzer (run by make bench / make fuzz)."""
