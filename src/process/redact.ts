/**
 * Secrets a command handles (passwords in its environment or arguments, tokens it prints) are
 * masked wherever the runner shows text to a person: progress lines, error messages, the command
 * line quoted in an error.
 */
const MASK = '••••••';

/** Only secrets long enough to be one: masking a two-letter value would garble every line. */
const MIN_SECRET_LENGTH = 4;

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(MASK);
  }
  return out;
}
