/**
 * The import rules docs/architecture.md states ("Imports run one way: handlers → compose → adapters → domain;
 * lib → contract", and `emails/` on domain types only), checked on every import in the source: static imports,
 * re-exports and dynamic `import()`, read with the TypeScript compiler's own parser. A wrong import fails here,
 * naming the file, the import and the rule it breaks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** One import in a file: what it names, whether only types come through it, and, for a relative one, its file. */
interface Import {
  specifier: string;
  typeOnly: boolean;
  /** Repository-relative path of a relative import (`lambdas/domain/lead.ts`); undefined for a package. */
  target?: string;
}

interface Rule {
  name: string;
  /** The files the rule is about. */
  appliesTo: (file: string) => boolean;
  /** Whether `file` may make this import. */
  allows: (imported: Import, file: string) => boolean;
}

const under = (folder: string) => (path: string | undefined) => path?.startsWith(folder) ?? false;
/** The composition root: compose.ts (the whole, for the local runtime and tests) and each handler's compose/ module. */
const isCompose = (path: string | undefined) => path === 'lambdas/compose.ts' || under('lambdas/compose/')(path);
const isPackage = (imported: Import) => imported.target === undefined;
/** What only adapters (and the composition root that builds them) may load. */
const IO_PACKAGES =
  /^(@aws-sdk\/|@aws-lambda-powertools\/|react$|react-dom(\/|$)|react-email$|@react-email\/|nodemailer)/;

const RULES: Rule[] = [
  {
    name: 'handlers import only their own compose module (lambdas/compose/<handler>.ts, never the whole compose.ts), the contract, the domain and handlers/http.ts: never an adapter, config.ts, emails/ or an SDK',
    appliesTo: under('lambdas/handlers/'),
    allows: (imported, file) =>
      isPackage(imported)
        ? !IO_PACKAGES.test(imported.specifier)
        : [
            file.replace('lambdas/handlers/', 'lambdas/compose/'),
            'lambdas/contract.ts',
            'lambdas/handlers/http.ts',
          ].includes(imported.target!) || under('lambdas/domain/')(imported.target),
  },
  {
    name: 'compose never imports a handler (handlers import compose)',
    appliesTo: (file) => isCompose(file),
    allows: (imported) => !under('lambdas/handlers/')(imported.target),
  },
  {
    name: 'adapters never import compose or a handler (compose builds the adapters)',
    appliesTo: under('lambdas/adapters/'),
    allows: (imported) => !isCompose(imported.target) && !under('lambdas/handlers/')(imported.target),
  },
  {
    name: 'the domain imports only the domain and the contract: no adapter, compose, handler, config.ts, emails/, AWS SDK or React',
    appliesTo: under('lambdas/domain/'),
    allows: (imported) =>
      isPackage(imported)
        ? !IO_PACKAGES.test(imported.specifier)
        : imported.target === 'lambdas/contract.ts' || under('lambdas/domain/')(imported.target),
  },
  {
    name: 'the contract imports nothing',
    appliesTo: (file) => file === 'lambdas/contract.ts',
    allows: () => false,
  },
  {
    name: 'lib/ imports only lambdas/contract.ts from outside lib/ (never a handler, adapter, compose or the domain)',
    appliesTo: under('lib/'),
    allows: (imported) =>
      isPackage(imported) || imported.target === 'lambdas/contract.ts' || under('lib/')(imported.target),
  },
  {
    name: 'emails/ imports from lambdas/ only domain types and the contract; nothing else outside emails/',
    appliesTo: under('emails/'),
    allows: (imported) =>
      isPackage(imported) ||
      under('emails/')(imported.target) ||
      imported.target === 'lambdas/contract.ts' ||
      (under('lambdas/domain/')(imported.target) && imported.typeOnly),
  },
];

/** Every import `source` makes, `file` being its repository-relative path. */
function importsOf(file: string, source: string): Import[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, kind);
  const found: Import[] = [];
  const add = (specifier: ts.Node | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const text = specifier.text;
    const target = text.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file), text)) : undefined;
    found.push({ specifier: text, typeOnly, ...(target !== undefined && { target }) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!bindings &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      const clause = node.exportClause;
      const typeOnly =
        node.isTypeOnly ||
        (!!clause &&
          ts.isNamedExports(clause) &&
          clause.elements.length > 0 &&
          clause.elements.every((element) => element.isTypeOnly));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

/** Each import of `source` that breaks a rule, as "file: 'specifier' breaks: rule". */
function violations(file: string, source: string): string[] {
  const rules = RULES.filter((rule) => rule.appliesTo(file));
  return importsOf(file, source).flatMap((imported) =>
    rules
      .filter((rule) => !rule.allows(imported, file))
      .map((rule) => `${file}: '${imported.specifier}' breaks: ${rule.name}`),
  );
}

/** The source files under the folders the rules are about. */
function sourceFiles(): string[] {
  const walk = (folder: string): string[] =>
    readdirSync(posix.join(root, folder), { withFileTypes: true }).flatMap((entry) => {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) return walk(path);
      return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
    });
  return ['lambdas', 'lib', 'emails'].flatMap(walk);
}

const files = sourceFiles();

describe('the import rules of docs/architecture.md', () => {
  for (const rule of RULES) {
    it(rule.name, () => {
      const covered = files.filter(rule.appliesTo);
      // A rule that matches no file checks nothing: a moved folder must move the rule too.
      expect(covered.length, rule.name).toBeGreaterThan(0);
      const broken = covered.flatMap((file) =>
        importsOf(file, readFileSync(posix.join(root, file), 'utf8'))
          .filter((imported) => !rule.allows(imported, file))
          .map((imported) => `${file}: '${imported.specifier}'`),
      );
      expect(broken, rule.name).toEqual([]);
    });
  }
});

describe('the domain and the environment', () => {
  it('the domain never reads process.env (config.ts reads it; the domain is handed values)', () => {
    const readers = files
      .filter(under('lambdas/domain/'))
      .filter((file) => /\bprocess\.env\b/.test(readFileSync(posix.join(root, file), 'utf8')));
    expect(readers).toEqual([]);
  });
});

describe('the import check', () => {
  it('names a handler that imports an adapter, config.ts, the AWS SDK, the whole compose.ts or a compose module not its own, and lets its own compose module, the domain and the contract through', () => {
    const handler = `import { DynamoLeadStore } from '../adapters/dynamo-lead-store.ts';
import { loadConfig } from '../config.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lambdaEntry } from '../compose.ts';
import { signupDeps } from '../compose/signup.ts';
import { unsubscribeDeps } from '../compose/unsubscribe.ts';
import { stopLead } from '../domain/stop.ts';
import { ROUTES } from '../contract.ts';
import { json } from './http.ts';
import { createHash } from 'node:crypto';`;
    expect(violations('lambdas/handlers/unsubscribe.ts', handler)).toEqual([
      `lambdas/handlers/unsubscribe.ts: '../adapters/dynamo-lead-store.ts' breaks: ${RULES[0]!.name}`,
      `lambdas/handlers/unsubscribe.ts: '../config.ts' breaks: ${RULES[0]!.name}`,
      `lambdas/handlers/unsubscribe.ts: '@aws-sdk/client-dynamodb' breaks: ${RULES[0]!.name}`,
      `lambdas/handlers/unsubscribe.ts: '../compose.ts' breaks: ${RULES[0]!.name}`,
      `lambdas/handlers/unsubscribe.ts: '../compose/signup.ts' breaks: ${RULES[0]!.name}`,
    ]);
  });

  it('finds re-exports, dynamic imports and type positions, not only import statements', () => {
    const lib = `export { signupForm } from '../lambdas/signup-form.ts';
const later = () => import('../lambdas/adapters/clients.ts');
type Deps = import('../lambdas/compose.ts').Service;
import { DUE_INDEX } from '../lambdas/contract.ts';`;
    expect(violations('lib/nurture-stack.ts', lib).map((line) => line.split("'")[1])).toEqual([
      '../lambdas/signup-form.ts',
      '../lambdas/adapters/clients.ts',
      '../lambdas/compose.ts',
    ]);
  });

  it('lets emails/ import domain types, but not domain code, and never the other way round', () => {
    expect(violations('emails/sequences.ts', `import type { Sequence } from '../lambdas/domain/sequence.ts';`)).toEqual(
      [],
    );
    expect(
      violations(
        'emails/sequences.ts',
        `import { type Sequence, validateSequence } from '../lambdas/domain/sequence.ts';`,
      ),
    ).toHaveLength(1);
    expect(
      violations('lambdas/domain/report.ts', `import type { Clinic } from '../../emails/clinic.ts';`),
    ).toHaveLength(1);
  });

  it('knows the contract imports nothing, and that adapters never import compose', () => {
    expect(violations('lambdas/contract.ts', `import { z } from 'zod';`)).toHaveLength(1);
    expect(violations('lambdas/adapters/renderer.ts', `import { clinicFor } from '../compose.ts';`)).toHaveLength(1);
    expect(
      violations('lambdas/adapters/renderer.ts', `import { clinicFor } from '../compose/shared.ts';`),
    ).toHaveLength(1);
  });
});
