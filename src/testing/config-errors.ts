/** The config loader's tests: the messages of every error a config text is refused with. */
import assert from 'node:assert/strict';
import { ResoluteErrorList } from '../base/errors.js';
import { parseConfig } from '../config/load-config.js';

/** Every error message parseConfig throws for `text` (named resolute.yaml); fails the test when it is accepted. */
export function configErrorsOf(text: string): string[] {
  try {
    parseConfig(text, 'resolute.yaml');
  } catch (error) {
    assert.ok(error instanceof ResoluteErrorList, `expected a ResoluteErrorList, got ${String(error)}`);
    return error.errors.map((e) => e.message);
  }
  assert.fail('the config was accepted');
}
