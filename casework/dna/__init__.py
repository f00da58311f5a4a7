"""DNA in the casework: profiles on samples behind barcodes, laboratory files, family pedigrees,
the DNA-led search and its hits, and the families' consent on their reference samples."""
