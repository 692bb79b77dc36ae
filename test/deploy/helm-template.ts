// A small, honest stand-in for `helm template`, which cannot run here (no helm binary): it turns a
// chart template into YAML that the `yaml` package can parse, and evaluates the simplest template
// actions against values, so that tests can check the structure of every manifest and the values
// that matter (ports, env, grace periods) without rendering the chart.
//
// What the pre-processor does:
//  - drops `{{/* comments */}}`;
//  - drops control lines, i.e. lines holding nothing but one action among `if`, `else`, `else if`,
//    `with`, `range`, `end`, `define`, and variable assignments (`$x := …`);
//  - keeps ONE branch of every `if`/`with` block, chosen by the mode: 'then' keeps the first branch,
//    'else' keeps the last `else` branch, or nothing when the block has no `else`; a `range` body
//    is kept once ('then') or dropped ('else'); the two modes together parse both sides of every
//    two-way choice (the middle branches of an `if … else if … else` chain are not parsed). Given
//    values instead (an EvalContext), it decides each condition the way helm would when the
//    condition is made of `.Values` paths, literals and and/or/not/eq/ne/gt/ge/lt/le/int/empty/
//    default, and keeps the first branch of any other, listing it as unresolved;
//  - replaces a line holding nothing but another action (`{{- include … | nindent N }}`,
//    `{{- toYaml … | nindent N }}`) with a placeholder entry at indentation N (or the line's own),
//    written `- __BLOCK_k__` when its siblings at that indentation are sequence items, and
//    `__BLOCK_k__: __BLOCK__` otherwise;
//  - replaces every other action, inside a line, with a placeholder scalar `__TPL_k__`.
// Limits: what an include or toYaml emits is not checked (only that a block may stand there); an
// action that spans lines, or whose output changes the indentation of the lines around it in other
// ways, is not understood; the helpers in _helpers.tpl are not expanded. The evaluator knows
// `.Values.…`, `.Release.Name/Namespace`, `.Chart.Name/AppVersion`, string and number literals,
// `include "facerec.fullname" .`, and the functions quote, toString, int; anything else is
// reported as unresolved instead of guessed.
import { parseAllDocuments, parse as parseYaml } from 'yaml';

/**
 * Which branch of each `if`/`with`/`range` to keep: 'then' and 'else' as described above, or an
 * EvalContext to decide each condition from values, as helm would, where the condition is simple
 * enough for `condition()` below; an undecidable condition keeps its first branch and is listed
 * in `Preprocessed.unresolved`.
 */
export type BranchMode = 'then' | 'else' | EvalContext;

export interface Preprocessed {
  /** YAML text, placeholders in place of the template actions. */
  yaml: string;
  /** Placeholder (`__TPL_k__`, `__BLOCK_k__`) → the action's text, without braces and trim markers. */
  actions: Map<string, string>;
  /** Conditions a values-aware pre-processing could not decide (their first branch was kept). */
  unresolved: string[];
}

type Cond = { kind: 'cond'; type: 'if' | 'with' | 'range'; branches: Item[][]; conditions: (string | null)[] };
type Item = { kind: 'line'; text: string } | { kind: 'block'; indent: number; action: string } | Cond;

const ACTION = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;
const ONLY_ACTION = /^\s*\{\{-?\s*([\s\S]*?)\s*-?\}\}\s*$/;

export function stripComments(template: string): string {
  return template.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');
}

function parseTree(template: string): Item[] {
  const root: Item[] = [];
  // Stack of open blocks: the item list being filled, and the conditional owning it (null at the root).
  const stack: { items: Item[]; cond: Cond | null; define: boolean }[] = [{ items: root, cond: null, define: false }];
  const lines = stripComments(template).split('\n');
  for (const line of lines) {
    const top = stack[stack.length - 1]!;
    const only = ONLY_ACTION.exec(line);
    const actionCount = (line.match(/\{\{/g) ?? []).length;
    if (only && actionCount === 1) {
      const action = only[1]!.trim();
      const word = action.split(/\s+/)[0] ?? '';
      if (word === 'if' || word === 'with' || word === 'range') {
        const cond: Cond = { kind: 'cond', type: word, branches: [[]], conditions: [action.slice(word.length).trim()] };
        top.items.push(cond);
        stack.push({ items: cond.branches[0]!, cond, define: false });
        continue;
      }
      if (word === 'define' || word === 'block') {
        const sink: Item[] = [];
        stack.push({ items: sink, cond: null, define: true });
        continue;
      }
      if (word === 'else') {
        if (!top.cond) throw new Error(`'else' outside if/with/range: ${line.trim()}`);
        const branch: Item[] = [];
        top.cond.branches.push(branch);
        top.cond.conditions.push(/^else\s+if\s/.test(action) ? action.replace(/^else\s+if\s+/, '') : null);
        top.items = branch;
        continue;
      }
      if (word === 'end') {
        if (stack.length === 1) throw new Error(`'end' without an open block: ${line.trim()}`);
        stack.pop();
        continue;
      }
      if (/^\$[A-Za-z0-9_]*\s*:?=/.test(action) || word === 'fail') continue;
      if (word === '' || action === '') continue;
      const nindent = /\b(?:nindent|indent)\s+(\d+)\s*$/.exec(action);
      const indent = nindent ? Number(nindent[1]) : (/^\s*/.exec(line)?.[0].length ?? 0);
      top.items.push({ kind: 'block', indent, action });
      continue;
    }
    top.items.push({ kind: 'line', text: line });
  }
  if (stack.length !== 1) throw new Error(`${stack.length - 1} block(s) not closed with {{ end }}`);
  return root;
}

function emit(items: Item[], mode: BranchMode, out: Exclude<Item, { kind: 'cond' }>[], unresolved: string[]): void {
  for (const item of items) {
    if (item.kind !== 'cond') {
      out.push(item);
      continue;
    }
    const { branches } = item;
    let chosen: Item[] = [];
    if (mode === 'then') chosen = branches[0]!;
    else if (mode === 'else') chosen = branches.length > 1 ? branches[branches.length - 1]! : [];
    else chosen = decide(item, mode, unresolved);
    emit(chosen, mode, out, unresolved);
  }
}

/** The branch helm would take under `ctx`: the first whose condition holds, else the `else` branch. */
function decide(item: Cond, ctx: EvalContext, unresolved: string[]): Item[] {
  for (let i = 0; i < item.branches.length; i++) {
    const text = item.conditions[i];
    if (text === null || text === undefined) return item.branches[i]!;
    // range $k, $v := X / with X / if X: what decides is X's truth (a range runs its body once here).
    const expr = text.replace(/^\$[A-Za-z0-9_]*(\s*,\s*\$[A-Za-z0-9_]*)?\s*:=\s*/, '');
    try {
      if (truthy(condition(expr, ctx))) return item.branches[i]!;
    } catch (err) {
      if (!(err instanceof Unresolved)) throw err;
      unresolved.push(`${item.type} ${text}`);
      return item.branches[0]!;
    }
  }
  return [];
}

const indentOf = (text: string): number => /^\s*/.exec(text)![0].length;
const isContent = (text: string): boolean => text.trim() !== '' && !text.trim().startsWith('#');

/** The YAML a template becomes under `mode`, and what each placeholder stands for. */
export function preprocess(template: string, mode: BranchMode): Preprocessed {
  const flat: Exclude<Item, { kind: 'cond' }>[] = [];
  const unresolved: string[] = [];
  emit(parseTree(template), mode, flat, unresolved);
  const actions = new Map<string, string>();
  let next = 0;
  // Placeholders stand in for single-line actions; `{{` split over lines is not supported.
  const inline = (text: string): string => {
    if (text.includes('{{') && !/\{\{[\s\S]*?\}\}/.test(text)) throw new Error(`template action spans lines: ${text.trim()}`);
    return text.replace(ACTION, (_m, body: string) => {
      const id = `__TPL_${next++}__`;
      actions.set(id, body.trim());
      return id;
    });
  };
  const siblingIsSequence = (index: number, indent: number): boolean => {
    for (const dir of [1, -1]) {
      for (let i = index + dir; i >= 0 && i < flat.length; i += dir) {
        const item = flat[i]!;
        if (item.kind === 'block') {
          if (item.indent === indent) continue;
          if (item.indent < indent) break;
          continue;
        }
        if (!isContent(item.text)) continue;
        const at = indentOf(item.text);
        if (at < indent) break;
        if (at === indent) return item.text.trimStart().startsWith('- ') || item.text.trim() === '-';
      }
    }
    return false;
  };
  const lines = flat.map((item, index) => {
    if (item.kind === 'line') return inline(item.text);
    const id = `__BLOCK_${next++}__`;
    actions.set(id, item.action);
    const pad = ' '.repeat(item.indent);
    return siblingIsSequence(index, item.indent) ? `${pad}- ${id}` : `${pad}${id}: __BLOCK__`;
  });
  return { yaml: lines.join('\n'), actions, unresolved };
}

export interface ParsedDoc {
  /** The document as plain data (placeholders as strings). */
  data: unknown;
  /** Index of the document in its file. */
  index: number;
}

/** Parses preprocessed YAML; throws with every parser error (and the offending text) otherwise. */
export function parseDocuments(pre: Preprocessed, file: string): ParsedDoc[] {
  const docs = parseAllDocuments(pre.yaml, { uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const errors = list.flatMap((d, i) => [...d.errors, ...d.warnings].map((e) => `${file} document ${i}: ${e.message}`));
  if (errors.length > 0) throw new Error(`${errors.join('\n')}\n--- preprocessed text ---\n${numbered(pre.yaml)}`);
  return list.map((d, index) => ({ data: d.toJS() as unknown, index }));
}

function numbered(text: string): string {
  return text
    .split('\n')
    .map((l, i) => `${String(i + 1).padStart(4)} ${l}`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Evaluating the simplest actions.

export class Unresolved extends Error {}

export interface EvalContext {
  values: Record<string, unknown>;
  release: { Name: string; Namespace: string };
  chart: { Name: string; AppVersion: string };
}

/** The chart's fullname rule (_helpers.tpl, facerec.fullname) for a context. */
export function fullname(ctx: EvalContext): string {
  const override = ctx.values.fullnameOverride;
  if (typeof override === 'string' && override) return override.slice(0, 63).replace(/-+$/, '');
  const nameOverride = ctx.values.nameOverride;
  const name = typeof nameOverride === 'string' && nameOverride ? nameOverride : ctx.chart.Name;
  const full = ctx.release.Name.includes(name) ? ctx.release.Name : `${ctx.release.Name}-${name}`;
  return full.slice(0, 63).replace(/-+$/, '');
}

export function lookup(root: unknown, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function splitPipeline(action: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < action.length; i++) {
    const c = action[i]!;
    if (c === '"' && action[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && c === '(') depth++;
    if (!quoted && c === ')') depth--;
    if (!quoted && depth === 0 && c === '|') {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current.trim());
  return parts;
}

/** Go's default formatting of a value in a template ({{ .Values.x }}). */
function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') throw new Unresolved('a map or list printed inline');
  return String(value);
}

/** The text an action renders to, for the actions this evaluator knows; throws Unresolved otherwise. */
export function render(action: string, ctx: EvalContext): string {
  const [first, ...pipes] = splitPipeline(action);
  let value: unknown;
  const cmd = first ?? '';
  const valuesPath = /^\$?\.Values((?:\.[A-Za-z0-9_]+)+)$/.exec(cmd);
  if (valuesPath) {
    const path = valuesPath[1]!.slice(1).split('.');
    value = lookup(ctx.values, path);
    if (value === undefined) throw new Unresolved(`.Values.${path.join('.')} is not set`);
  } else if (/^\$?\.Release\.(Name|Namespace)$/.test(cmd)) {
    value = ctx.release[cmd.endsWith('Name') ? 'Name' : 'Namespace'];
  } else if (/^\$?\.Chart\.(Name|AppVersion)$/.test(cmd)) {
    value = ctx.chart[cmd.endsWith('Name') ? 'Name' : 'AppVersion'];
  } else if (/^include "facerec\.fullname" \$?\.?$/.test(cmd)) {
    value = fullname(ctx);
  } else if (/^"(?:[^"\\]|\\.)*"$/.test(cmd)) {
    value = JSON.parse(cmd) as string;
  } else if (/^-?\d+(\.\d+)?$/.test(cmd)) {
    value = Number(cmd);
  } else {
    throw new Unresolved(`unknown action: ${action}`);
  }
  let text = goFormat(value);
  for (const pipe of pipes) {
    if (pipe === 'quote') text = JSON.stringify(text);
    else if (pipe === 'toString') text = String(text);
    else if (pipe === 'int') text = String(Math.trunc(Number(text)));
    else throw new Unresolved(`unknown function: ${pipe}`);
  }
  return text;
}

/**
 * The value a scalar of a preprocessed document stands for once its placeholders are rendered:
 * a scalar that is one placeholder is parsed as YAML (as Helm's output would be); placeholders
 * inside a longer string are replaced by their text.
 */
export function resolve(scalar: unknown, pre: Preprocessed, ctx: EvalContext): unknown {
  if (typeof scalar !== 'string') return scalar;
  const whole = /^__(TPL|BLOCK)_\d+__$/.exec(scalar);
  if (whole) return parseYaml(render(actionOf(scalar, pre), ctx)) as unknown;
  return scalar.replace(/__TPL_\d+__/g, (id) => render(actionOf(id, pre), ctx));
}

export function actionOf(id: string, pre: Preprocessed): string {
  const action = pre.actions.get(id);
  if (action === undefined) throw new Error(`no action for placeholder ${id}`);
  return action;
}

export const isPlaceholder = (text: unknown): boolean => typeof text === 'string' && /__(TPL|BLOCK)_\d+__/.test(text);

/** Every `.Values.a.b.c` path an action reads (including `$.Values…` and `.root.Values…`). */
export function valuesPaths(template: string): string[][] {
  const paths: string[][] = [];
  for (const m of stripComments(template).matchAll(/\{\{[\s\S]*?\}\}/g)) {
    for (const p of m[0].matchAll(/\.Values((?:\.[A-Za-z0-9_]+)+)/g)) paths.push(p[1]!.slice(1).split('.'));
  }
  return paths;
}

/** Helm's merge of a values file over the defaults: maps merge, lists and scalars replace, null deletes. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else out[key] = key in base ? mergeValues(base[key], value) : value;
  }
  return out;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Conditions: `.Values…` paths, literals, and the functions and, or, not, eq, ne, gt, ge, lt, le,
// int, empty, default, with parentheses. Anything else (include, variables, pipelines) is Unresolved.

function tokenize(expr: string): string[] {
  return [...expr.matchAll(/"(?:[^"\\]|\\.)*"|\(|\)|[^\s()]+/g)].map((m) => m[0]);
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  not: (x) => !truthy(x),
  and: (...xs) => xs[firstIndex(xs, (x) => !truthy(x))],
  or: (...xs) => xs[firstIndex(xs, truthy)],
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => Number(a) > Number(b),
  ge: (a, b) => Number(a) >= Number(b),
  lt: (a, b) => Number(a) < Number(b),
  le: (a, b) => Number(a) <= Number(b),
  int: (x) => Math.trunc(Number(x ?? 0)),
  empty: (x) => !truthy(x),
  default: (fallback, x) => (truthy(x) ? x : fallback),
};

/** Go's and/or return the first argument that decides, or the last one. */
function firstIndex(xs: unknown[], decides: (x: unknown) => boolean): number {
  const i = xs.findIndex(decides);
  return i === -1 ? xs.length - 1 : i;
}

/** The value of a condition expression under `ctx`. */
export function condition(expr: string, ctx: EvalContext): unknown {
  if (expr.includes('|')) throw new Unresolved(`pipeline in a condition: ${expr}`);
  const tokens = tokenize(expr);
  let pos = 0;
  const call = (): unknown => {
    const items: unknown[] = [];
    let fn: string | null = null;
    while (pos < tokens.length && tokens[pos] !== ')') {
      const t = tokens[pos++]!;
      if (t === '(') {
        items.push(call());
        if (tokens[pos++] !== ')') throw new Unresolved(`unbalanced parentheses: ${expr}`);
      } else if (items.length === 0 && fn === null && t in FUNCTIONS) {
        fn = t;
      } else {
        items.push(atom(t, ctx));
      }
    }
    if (fn !== null) return FUNCTIONS[fn]!(...items);
    if (items.length !== 1) throw new Unresolved(`not understood: ${expr}`);
    return items[0];
  };
  const value = call();
  if (pos !== tokens.length) throw new Unresolved(`not understood: ${expr}`);
  return value;
}

function atom(token: string, ctx: EvalContext): unknown {
  const path = /^\$?\.Values((?:\.[A-Za-z0-9_]+)+)$/.exec(token);
  if (path) return lookup(ctx.values, path[1]!.slice(1).split('.')) ?? null;
  if (/^\$?\.Release\.(Name|Namespace)$/.test(token)) return ctx.release[token.endsWith('Name') ? 'Name' : 'Namespace'];
  if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
  if (/^"(?:[^"\\]|\\.)*"$/.test(token)) return JSON.parse(token) as string;
  if (token === 'true' || token === 'false') return token === 'true';
  throw new Unresolved(`unknown term: ${token}`);
}

/** Go template truth: false, 0, nil and empty strings, maps and lists are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMap(value)) return Object.keys(value).length > 0;
  return true;
}
