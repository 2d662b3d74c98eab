/**
 * EventBridge's event pattern matching, for the parts of it our rules use, so a test can check a synthesized rule
 * against real sample events without AWS (TestEventPattern needs an account). The rules, from the EventBridge user
 * guide:
 *
 * - "For an event pattern to match an event, the event must contain all the field names listed in the event pattern.
 *   The field names must also appear in the event with the same nesting structure." Fields the pattern does not name
 *   are ignored. (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html)
 * - "The value of each field in an event pattern is an array containing one or more values. An event pattern matches
 *   the event if any of the values in the array match the value in the event. If the value in the event is an array,
 *   then the event pattern matches if the intersection of the event pattern array and the event array is non-empty."
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html)
 * - Matching is exact: character for character, case-sensitive. Arrays of objects in the event are flattened: a nested
 *   field matches if any element has it with a matching value.
 *
 * Content filters (`prefix`, `anything-but`, `numeric`, ...) other than `exists` are not implemented: a pattern using
 * one throws, so a test never passes on a filter this matcher does not understand. The kept library for this on npm is
 * `eb-patterns` (a local TestEventPattern); it is not a dependency of this project.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True when `event` matches `pattern` as EventBridge would decide it. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([field, rule]) => matchesField(rule, valuesAt(event, field)));
}

function matchesField(rule: unknown, values: Json[]): boolean {
  if (Array.isArray(rule)) {
    const leaves = values.filter((value) => value === null || typeof value !== 'object');
    return rule.some((matcher) => matchesLeaf(matcher, leaves));
  }
  if (rule !== null && typeof rule === 'object') {
    // A nested pattern: some object at this field (any element, if the event has an array) must match all of it.
    const objects = values.filter((value): value is { [key: string]: Json } => isObject(value));
    return Object.entries(rule).every(([field, inner]) =>
      matchesField(
        inner,
        objects.flatMap((object) => valuesAt(object, field)),
      ),
    );
  }
  throw new Error(`not an event pattern: ${JSON.stringify(rule)} (a field's value must be an array or an object)`);
}

function matchesLeaf(matcher: unknown, leaves: Json[]): boolean {
  if (matcher === null || typeof matcher !== 'object') return leaves.some((leaf) => leaf === matcher);
  const [operator, ...others] = Object.keys(matcher);
  if (operator === 'exists' && others.length === 0)
    return (matcher as { exists: boolean }).exists === leaves.length > 0;
  throw new Error(`event pattern filter not implemented here: ${JSON.stringify(matcher)}`);
}

/** The values at `field` of `value`, flattening arrays (of the event, at any depth) as EventBridge does. */
function valuesAt(value: unknown, field: string): Json[] {
  if (!isObject(value) || !(field in value)) return [];
  return flatten(value[field]!);
}

function flatten(value: Json): Json[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
