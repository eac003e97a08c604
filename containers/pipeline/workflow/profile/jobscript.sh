#!/bin/sh
# properties = {properties}
# Snakemake's job script, with one addition: the job's start and end on its node, and the node,
# in logs/slurm/<job>.times. `resops pipeline run` reads them for Slurm's own delay (submitted →
# started) and for where each job ran. A requeued job appends a second start. A trap, because
# Snakemake's command ends the script with `exit`.
times="${{SLURM_SUBMIT_DIR:-.}}/logs/slurm/${{SLURM_JOB_ID:-0}}.times"
echo "start $(date +%s.%N) ${{SLURMD_NODENAME:-unknown}}" >> "$times"
trap 'echo "end $(date +%s.%N) $?" >> "$times"' EXIT
{exec_job}
