"""Precision, recall and F1 of the called SNPs against the simulated truth (Snakemake `script:`)."""
import json


def snps(path):
    found = set()
    with open(path) as handle:
        for line in handle:
            if line.startswith('#'):
                continue
            chrom, pos, _id, ref, alt = line.rstrip('\r\n').split('\t')[:5]
            for allele in alt.split(','):
                if len(ref) == 1 and len(allele) == 1:
                    found.add((chrom, int(pos), ref, allele))
    return found


truth = snps(snakemake.input.truth)  # noqa: F821 (Snakemake defines it)
called = snps(snakemake.input.calls)  # noqa: F821
tp = len(truth & called)
precision = tp / len(called) if called else 0.0
recall = tp / len(truth) if truth else 0.0
f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
result = {'truth': len(truth), 'called': len(called), 'truePositives': tp, 'falsePositives': len(called) - tp,
          'falseNegatives': len(truth) - tp, 'precision': round(precision, 4), 'recall': round(recall, 4), 'f1': round(f1, 4)}
with open(snakemake.output[0], 'w') as out:  # noqa: F821
    json.dump(result, out)
