/**
 * The S3 client the toolkit's Python one-liners use on the course's machines: Snakemake's own
 * settings (endpoint from RESOPS_S3_ENDPOINT, keys from the AWS_* variables, path-style
 * addressing), bounded by the caller's timeouts. Lines of a script that binds it to `c`.
 */
export function s3ClientLines(bounds: { readTimeoutS: number; attempts: number }): string[] {
  return [
    'import os, boto3, botocore.config, botocore.exceptions',
    `c = boto3.client('s3', endpoint_url=os.environ['RESOPS_S3_ENDPOINT'], config=botocore.config.Config(s3={'addressing_style': 'path'}, connect_timeout=10, read_timeout=${bounds.readTimeoutS}, retries={'max_attempts': ${bounds.attempts}}))`,
  ];
}
