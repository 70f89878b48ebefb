"""berita: grounded information extraction from Indonesian news."""
