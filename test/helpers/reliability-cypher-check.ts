import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Static check that every Cypher execution in src/ sends a query text built only from constants:
 * data must travel as parameters. A call `x.run(q, …)`, `x.query(q, …)` or `x.executeQuery(q, …)`
 * passes when `q` is a string literal, a template whose `${…}` parts are themselves constants, a
 * `const` (in the file, or exported from another src file) initialised that way, or a loop
 * variable over a constant array. Function parameters and fragment builders pass only when
 * allow-listed below, with the reason.
 */

const SINKS = new Set(['run', 'query', 'executeQuery']);

/** `file:parameter` → why a query text arriving as a parameter is acceptable there. */
export const PARAMETER_ALLOW: Readonly<Record<string, string>> = {
  'src/analyst/read-only-runner.ts:cypher': 'analyst Cypher by design; runs in a READ transaction, writes refused by the server',
  'src/db/linkage-writer.ts:cypher': 'batched(): every caller passes one of the module-level Q_* constants',
  'src/db/linkage-source.ts:cypher': 'paged(), keyedPages(): every caller passes one of the module-level Q_* / D_* constants',
  'src/db/linkage-source.ts:held': 'readLinkageDelta groups(): every call passes a module-level HELD_* constant (checked as a pass-through site)',
  'src/db/neo4j-client.ts:cypher': 'Neo4jClient.query(), the driver wrapper: its callers are the sites this check inspects',
  'src/db/ingest-repository.ts:cypher': 'writeGroups(): every caller passes one of the module-level ingest statements',
  'src/db/ingest-repository.ts:q':
    'writeKeyed(): q is one of the module-level IDENTIFIERS statement sets, built once at load from literal labels and property lists',
  'src/db/ingest-repository.ts:existsCypher':
    'missingKeys(): its callers pass ACCOUNT_EXISTS or q.exists, module-level statements (checked as pass-through sites)',
  'src/db/graph-digest.ts:query': 'digestOf(): graphDigest passes statements built from the module-level NODE_KEYS / REL_ENDS literals',
};

/**
 * Helpers that take the query text as a parameter (allow-listed above): their call sites are
 * checked as sinks too, at the given argument.
 */
export const PASS_THROUGH: ReadonlyArray<{ readonly file: string; readonly fn: string; readonly arg: number }> = [
  { file: 'src/db/linkage-writer.ts', fn: 'batched', arg: 1 },
  { file: 'src/db/linkage-source.ts', fn: 'paged', arg: 1 },
  { file: 'src/db/linkage-source.ts', fn: 'keyedPages', arg: 1 },
  { file: 'src/db/linkage-source.ts', fn: 'keysOf', arg: 1 },
  { file: 'src/db/linkage-source.ts', fn: 'groups', arg: 0 },
  { file: 'src/db/linkage-source.ts', fn: 'groups', arg: 1 },
  { file: 'src/db/ingest-repository.ts', fn: 'writeGroups', arg: 1 },
  { file: 'src/db/ingest-repository.ts', fn: 'missingKeys', arg: 1 },
];

/** `file:function` → fragment builders called with literal arguments only (checked) inside constant templates. */
export const FRAGMENT_ALLOW: Readonly<Record<string, string>> = {
  'src/db/linkage-source.ts:membersOf': 'builds a CALL subquery from a relationship type and an expression, both literals at every call site',
  'src/db/linkage-source.ts:page': 'a keyset-page head from a label, key and variable, literals at every call site',
  'src/db/linkage-source.ts:keyed': 'a list-of-keys head from a label, key and variable, literals at every call site',
};

export interface CypherSite {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly ok: boolean;
}

interface Index {
  /** Exported or module-level constants of every file, by name. */
  readonly consts: Map<string, ts.Expression[]>;
}

function collectConsts(sf: ts.SourceFile, into: Map<string, ts.Expression[]>): void {
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclarationList(n) && n.flags & ts.NodeFlags.Const) {
      for (const d of n.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer) {
          const list = into.get(d.name.text) ?? [];
          list.push(d.initializer);
          into.set(d.name.text, list);
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}

function isLiteral(e: ts.Expression): boolean {
  return ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e);
}

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

/** The identifier is a parameter of one of its enclosing functions (callbacks included). */
function isParameterOf(id: ts.Identifier): boolean {
  for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
    if (ts.isFunctionLike(n) && n.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === id.text)) return true;
  }
  return false;
}

/** A `for (const x of ARRAY)` loop variable whose array is constant. */
function loopOverConstant(id: ts.Identifier, file: string, index: Index, depth: number): boolean | undefined {
  for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
    if (ts.isForOfStatement(n) && ts.isVariableDeclarationList(n.initializer)) {
      const d = n.initializer.declarations[0];
      if (d && ts.isIdentifier(d.name) && d.name.text === id.text) return isConstant(n.expression, file, index, depth + 1);
    }
  }
  return undefined;
}

function isConstant(expr: ts.Expression, file: string, index: Index, depth = 0): boolean {
  if (depth > 12) return false;
  const e = unwrap(expr);
  if (isLiteral(e)) return true;
  if (ts.isTemplateExpression(e)) return e.templateSpans.every((s) => isFragment(s.expression, file, index, depth + 1));
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return isConstant(e.left, file, index, depth + 1) && isConstant(e.right, file, index, depth + 1);
  }
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => isConstant(x, file, index, depth + 1));
  // `q.nodes` on an allow-listed parameter `q` (a statement set chosen from module constants).
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && isParameterOf(e.expression))
    return `${file}:${e.expression.text}` in PARAMETER_ALLOW;
  if (ts.isIdentifier(e)) {
    const loop = loopOverConstant(e, file, index, depth);
    if (loop !== undefined) return loop;
    if (isParameterOf(e)) return `${file}:${e.text}` in PARAMETER_ALLOW;
    const inits = index.consts.get(e.text);
    return !!inits && inits.length > 0 && inits.every((i) => isConstant(i, file, index, depth + 1));
  }
  return false;
}

function isFragment(expr: ts.Expression, file: string, index: Index, depth: number): boolean {
  const e = unwrap(expr);
  if (isConstant(e, file, index, depth)) return true;
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && `${file}:${e.expression.text}` in FRAGMENT_ALLOW) {
    return e.arguments.every((a) => isConstant(a, file, index, depth + 1));
  }
  return false;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * Every Cypher execution site in the given sources (`file` is the path used in the allow-lists,
 * e.g. `src/db/x.ts`), each marked ok or not.
 */
export function checkCypherSources(sources: ReadonlyArray<{ file: string; text: string }>): CypherSite[] {
  const parsed = sources.map((s) => ({ file: s.file, sf: ts.createSourceFile(s.file, s.text, ts.ScriptTarget.ES2022, true) }));
  const index: Index = { consts: new Map() };
  for (const p of parsed) collectConsts(p.sf, index.consts);
  const sites: CypherSite[] = [];
  for (const { file, sf } of parsed) {
    const visit = (n: ts.Node): void => {
      const passes =
        ts.isCallExpression(n) && ts.isIdentifier(n.expression)
          ? PASS_THROUGH.filter((p) => p.file === file && p.fn === (n.expression as ts.Identifier).text)
          : [];
      const sink = ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && SINKS.has(n.expression.name.text) && n.arguments.length > 0;
      if (ts.isCallExpression(n)) {
        const at = [...(sink ? [0] : []), ...passes.map((p) => p.arg)].filter((i) => n.arguments.length > i);
        for (const i of at) {
          const arg = n.arguments[i]!;
          sites.push({
            file,
            line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1,
            text: arg.getText(sf).slice(0, 120),
            ok: isConstant(arg, file, index),
          });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return sites;
}

/** The check over the repository's src/ folder. */
export function checkCypherInSrc(root: string): CypherSite[] {
  const files = sourceFiles(path.join(root, 'src'));
  return checkCypherSources(files.map((f) => ({ file: path.relative(root, f).split(path.sep).join('/'), text: fs.readFileSync(f, 'utf8') })));
}
