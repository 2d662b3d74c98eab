// @ts-check
// StrykerJS ignore-plugin for `npm run mutate` (stryker.config.js): mutants the run need not spend time on, still
// listed as "Ignored" in the report. See docs/testing.md#mutation-testing.
import { PluginKind, declareClassPlugin } from '@stryker-mutator/api/plugin';

const LOG_LEVELS = new Set(['info', 'warn', 'error']);

/**
 * A log line (`log.warn(...)`, `deps.log.error(...)`) and an error's message (`new Error('...')`): words and fields
 * for whoever reads the logs, not behaviour a lead or the guarantees depend on. What a log line may hold is checked by
 * the privacy check on every test file; whether an error is thrown is still mutated.
 */
class LogsAndErrorMessages {
  /** @param {any} path a Babel NodePath */
  shouldIgnore(path) {
    const node = path.node;
    if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression') {
      const { object, property } = node.callee;
      const isLog =
        (object.type === 'Identifier' && object.name === 'log') ||
        (object.type === 'MemberExpression' && object.property.type === 'Identifier' && object.property.name === 'log');
      if (isLog && property.type === 'Identifier' && LOG_LEVELS.has(property.name))
        return 'A log line: its words and fields are for operators (the privacy check covers what it may hold).';
    }
    if (node.type === 'NewExpression' && node.callee.type === 'Identifier' && node.callee.name === 'Error')
      return 'An error message: whether the error is thrown is mutated, its words are for whoever reads the log.';
    return undefined;
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, 'logs-and-error-messages', LogsAndErrorMessages)];
