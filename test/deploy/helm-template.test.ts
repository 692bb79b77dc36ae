// The template pre-processor that stands in for `helm template` (see helm-template.ts for what it
// does and does not understand): it must keep valid templates parseable and, as importantly, let
// broken YAML structure through to the parser so that the chart tests can fail.
import { describe, expect, it } from 'vitest';
import { mergeValues, parseDocuments, preprocess, render, resolve, Unresolved, valuesPaths, type EvalContext } from './helm-template.js';

const ctx = (values: Record<string, unknown>): EvalContext => ({ values, release: { Name: 'rel', Namespace: 'ns' }, chart: { Name: 'facerec', AppVersion: '0.1.0' } });

describe('template pre-processor', () => {
  const template = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ include "facerec.fullname" . }}-config',
    '  labels:',
    '    {{- include "facerec.labels" . | nindent 4 }}',
    'data:',
    '  {{- if .Values.a }}',
    '  A: {{ .Values.a | quote }}',
    '  {{- else }}',
    '  B: "b"',
    '  {{- end }}',
    '  {{- range $k, $v := .Values.more }}',
    '  {{ $k }}: {{ $v | quote }}',
    '  {{- end }}',
  ].join('\n');

  it('keeps the first branch in "then" mode and the else branch in "else" mode', () => {
    const then = parseDocuments(preprocess(template, 'then'), 't.yaml')[0]!.data as { data: Record<string, unknown> };
    const other = parseDocuments(preprocess(template, 'else'), 't.yaml')[0]!.data as { data: Record<string, unknown> };
    expect(Object.keys(then.data)).toContain('A');
    expect(Object.keys(then.data)).not.toContain('B');
    expect(other.data).toEqual({ B: 'b' });
  });

  it('records what each placeholder stands for, and evaluates the simple ones', () => {
    const pre = preprocess(template, 'then');
    const doc = parseDocuments(pre, 't.yaml')[0]!.data as { metadata: { name: string }; data: { A: string } };
    expect(resolve(doc.metadata.name, pre, ctx({}))).toBe('rel-facerec-config');
    expect(resolve(doc.data.A, pre, ctx({ a: 8080 }))).toBe('8080');
    expect(() => resolve(doc.data.A, pre, ctx({}))).toThrow(Unresolved);
  });

  it('writes a block placeholder as a list item where its siblings are list items', () => {
    const pre = preprocess(['volumes:', '  {{- include "facerec.tmpVolume" . | nindent 2 }}', '  - name: data', '    emptyDir: {}'].join('\n'), 'then');
    expect(parseDocuments(pre, 'v.yaml')[0]!.data).toEqual({ volumes: [expect.stringMatching(/^__BLOCK_\d+__$/), { name: 'data', emptyDir: {} }] });
  });

  it('lets broken indentation reach the parser', () => {
    const broken = ['spec:', '  replicas: {{ .Values.replicas }}', ' selector:', '    app: x'].join('\n');
    expect(() => parseDocuments(preprocess(broken, 'then'), 'broken.yaml')).toThrow(/broken\.yaml/);
  });

  it('lets duplicate keys reach the parser', () => {
    const dup = ['data:', '  {{- if .Values.x }}', '  A: "1"', '  {{- end }}', '  A: "2"'].join('\n');
    expect(() => parseDocuments(preprocess(dup, 'then'), 'dup.yaml')).toThrow(/dup\.yaml/);
  });

  it('refuses unbalanced blocks', () => {
    expect(() => preprocess('{{- if .Values.x }}\na: 1\n', 'then')).toThrow(/not closed/);
    expect(() => preprocess('a: 1\n{{- end }}\n', 'then')).toThrow(/without an open block/);
  });

  it('finds every .Values path an action reads, and none in comments', () => {
    const paths = valuesPaths('{{/* .Values.commented.out */}}\na: {{ .Values.a.b | quote }}\n{{- with $.Values.c }}\n{{ include "x" (dict "root" . "v" .root.Values.d.e) }}\n{{- end }}');
    expect(paths).toEqual([['a', 'b'], ['c'], ['d', 'e']]);
  });

  it('renders only the functions it knows', () => {
    expect(render('.Values.port | quote', ctx({ port: 9090 }))).toBe('"9090"');
    expect(() => render('.Values.port | b64enc', ctx({ port: 1 }))).toThrow(Unresolved);
    expect(() => render('printf "%s" .Values.x', ctx({ x: 1 }))).toThrow(Unresolved);
  });

  it('merges values files the way helm does', () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null, e: 2 })).toEqual({ a: { b: 1, c: [3] }, e: 2 });
  });
});
