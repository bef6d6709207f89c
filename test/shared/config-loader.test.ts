import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigProblem, LoadedConfig } from '../../shared/node/config-loader.ts';
import { canonicalJson, EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { questionnaireFor } from '../../shared/catalog.ts';

const mustLoad = (dir: string): LoadedConfig => {
  const r = loadConfigDir(dir);
  if (!r.ok) throw new Error(`expected the config to load: ${JSON.stringify(r.problems, null, 2)}`);
  return r.config;
};

const problemsOf = (dir: string): ConfigProblem[] => {
  const r = loadConfigDir(dir);
  if (r.ok) throw new Error('expected problems, but the config loaded');
  return r.problems;
};

describe('the embedded configuration', () => {
  const config = mustLoad(EMBEDDED_CONFIG_DIR);

  it('loads all its files, with a version and a content hash', () => {
    expect(config.files).toEqual([
      'catalog.json',
      'questionnaires/per-case.json',
      'questionnaires/quick.json',
      'questionnaires/sipas.json',
    ]);
    expect(config.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(config.hash).toBe(createHash('sha256').update(canonicalJson(config.bundle)).digest('hex'));
    expect(config.version).toBe(`${config.bundle.catalog.version}+${config.hash.slice(0, 12)}`);
    expect(config.bundle.questionnaires.map((q) => q.id)).toEqual(['per-case', 'quick', 'sipas']);
  });

  it('carries every procedure of the table in docs/survey-instruments.md with its name', () => {
    const names = Object.fromEntries(config.bundle.catalog.procedures.map((p) => [p.code, p.name.vi]));
    expect(names).toMatchObject({
      '1.001193': 'Thủ tục đăng ký khai sinh',
      '1.000894': 'Thủ tục đăng ký kết hôn',
      '2.000908': 'Cấp bản sao từ sổ gốc',
      '2.000815': 'Chứng thực bản sao từ bản chính',
      '2.000884': 'Thủ tục chứng thực chữ ký',
      '2.001035': 'Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở',
      '2.001019': 'Chứng thực di chúc',
    });
    for (const p of config.bundle.catalog.procedures) expect(p.name.en, p.code).toBeTruthy();
    expect(
      config.bundle.catalog.procedures.some((p) => /^\d\.\d{6}\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/.test(p.code)),
    ).toBe(true);
  });

  it('has the fields docs/survey-instruments.md lists, in Vietnamese and English', () => {
    const fields = config.bundle.catalog.fields.map((f) => f.name.vi);
    for (const name of [
      'Hộ tịch',
      'Chứng thực',
      'Bảo trợ xã hội',
      'Đất đai',
      'Xây dựng',
      'Đăng ký kinh doanh',
      'Nông nghiệp và Môi trường',
      'Thi đua - Khen thưởng',
      'Giáo dục và Đào tạo',
      'Lao động - Thương binh và Xã hội',
    ]) {
      expect(fields).toContain(name);
    }
    for (const f of config.bundle.catalog.fields) expect(f.name.en, f.code).toBeTruthy();
  });

  it('assigns questionnaires by field, with a procedure override', () => {
    const { catalog } = config.bundle;
    expect(questionnaireFor(catalog, '1.001193')).toBe('per-case'); // Hộ tịch
    expect(questionnaireFor(catalog, '2.000884')).toBe('per-case'); // Chứng thực
    expect(questionnaireFor(catalog, '2.000815')).toBe('quick'); // Chứng thực, overridden
    expect(questionnaireFor(catalog, '1.001612')).toBe('sipas'); // Đăng ký kinh doanh
    expect(questionnaireFor(catalog, '1.001776')).toBe('quick'); // Bảo trợ xã hội
    expect(new Set(catalog.fields.map((f) => f.questionnaire))).toEqual(new Set(['per-case', 'quick', 'sipas']));
  });
});

describe('loadConfigDir on a damaged copy', () => {
  let dir: string;
  const file = (rel: string) => join(dir, rel);
  const readJson = (rel: string): Record<string, unknown> =>
    JSON.parse(readFileSync(file(rel), 'utf8')) as Record<string, unknown>;
  const writeJson = (rel: string, value: unknown) => writeFileSync(file(rel), JSON.stringify(value, null, 2));
  /** Edits a JSON file in place; the callback reaches deep into known files, so it gets untyped JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const edit = (rel: string, change: (json: any) => void) => {
    const json = readJson(rel);
    change(json);
    writeJson(rel, json);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-config-'));
    cpSync(EMBEDDED_CONFIG_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads an untouched copy with the same hash as the original', () => {
    expect(mustLoad(dir).hash).toBe(mustLoad(EMBEDDED_CONFIG_DIR).hash);
  });

  it('reports a JSON syntax error with the file, line and column', () => {
    writeFileSync(file('questionnaires/quick.json'), '{\n  "id": "quick",\n  "version": 1\n  "kind": "quick"\n}\n');
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'questionnaires/quick.json', path: '(root)' });
    expect(problems[0]?.message).toMatch(/^JSON syntax error at line 4, column 3: /);
  });

  it('reports a truncated file at its end', () => {
    writeFileSync(file('catalog.json'), '{\n  "version": "1",\n');
    const [p] = problemsOf(dir);
    expect(p).toMatchObject({ file: 'catalog.json', path: '(root)' });
    expect(p?.message).toMatch(/line 3, column 1/);
  });

  it('reports a wrong type deep inside a questionnaire with its field path', () => {
    edit('questionnaires/quick.json', (q) => {
      q.questions[3].options[0].label.vi = 42;
    });
    expect(problemsOf(dir)).toEqual([
      {
        file: 'questionnaires/quick.json',
        path: 'questions.3.options.0.label.vi',
        message: expect.stringMatching(/expected string/),
      },
    ]);
  });

  it('reports a bad key and a bad discriminator in their places', () => {
    edit('questionnaires/sipas.json', (q) => {
      q.questions[0].text.VI = 'chữ hoa';
      q.questions[2].feeds.instrument = 'nps';
    });
    const problems = problemsOf(dir);
    expect(problems.map((p) => [p.file, p.path])).toEqual([
      ['questionnaires/sipas.json', 'questions.0.text.VI'],
      ['questionnaires/sipas.json', 'questions.2.feeds.instrument'],
    ]);
    expect(problems[0]?.message).toMatch(/language tag/);
  });

  it('reports a procedure pointing at an unknown field', () => {
    edit('catalog.json', (c) => {
      c.procedures[0].field = 'khong-co';
    });
    expect(problemsOf(dir)).toEqual([
      { file: 'catalog.json', path: 'procedures.0.field', message: 'unknown field "khong-co"' },
    ]);
  });

  it('reports a procedure or a field pointing at an unknown questionnaire', () => {
    edit('catalog.json', (c) => {
      c.procedures[2].questionnaire = 'khong-co';
      c.fields[1].questionnaire = 'cung-khong-co';
    });
    expect(problemsOf(dir)).toEqual([
      { file: 'catalog.json', path: 'fields.1.questionnaire', message: 'unknown questionnaire "cung-khong-co"' },
      { file: 'catalog.json', path: 'procedures.2.questionnaire', message: 'unknown questionnaire "khong-co"' },
    ]);
  });

  it('reports a questionnaire that is removed while the catalog still uses it', () => {
    unlinkSync(file('questionnaires/sipas.json'));
    const problems = problemsOf(dir);
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems)
      expect(p).toMatchObject({ file: 'catalog.json', message: 'unknown questionnaire "sipas"' });
  });

  it('reports bad procedure codes', () => {
    edit('catalog.json', (c) => {
      c.procedures[1].code = '1.00089';
      c.procedures[3].code = '2.000908.000.00.00.h61';
    });
    const problems = problemsOf(dir);
    expect(problems.map((p) => [p.file, p.path])).toEqual([
      ['catalog.json', 'procedures.1.code'],
      ['catalog.json', 'procedures.3.code'],
    ]);
    expect(problems[0]?.message).toMatch(/procedure code/);
  });

  it('reports problems in several files at once', () => {
    writeFileSync(file('questionnaires/per-case.json'), '{ "id": ');
    edit('catalog.json', (c) => {
      c.version = 3;
    });
    edit('questionnaires/quick.json', (q) => {
      q.questions[0].type = 'stars';
    });
    expect(problemsOf(dir).map((p) => [p.file, p.path])).toEqual([
      ['catalog.json', 'version'],
      ['questionnaires/per-case.json', '(root)'],
      ['questionnaires/quick.json', 'questions.0.type'],
    ]);
  });

  it('reports a questionnaire id given twice against the second file', () => {
    cpSync(file('questionnaires/quick.json'), file('questionnaires/quick-copy.json'));
    expect(problemsOf(dir)).toEqual([
      { file: 'questionnaires/quick.json', path: 'id', message: 'questionnaire "quick" given twice' },
    ]);
  });

  it('does not throw on JSON of the wrong shape', () => {
    writeFileSync(file('catalog.json'), 'null');
    writeFileSync(file('questionnaires/quick.json'), '[1, 2, 3]');
    writeFileSync(file('questionnaires/sipas.json'), '"sipas"');
    const problems = problemsOf(dir);
    expect(problems.map((p) => [p.file, p.path])).toEqual([
      ['catalog.json', '(root)'],
      ['questionnaires/quick.json', '(root)'],
      ['questionnaires/sipas.json', '(root)'],
    ]);
  });

  it('reports a missing directory, catalog or questionnaires folder', () => {
    expect(problemsOf(join(dir, 'khong-co'))).toEqual([
      { file: '.', path: '(root)', message: expect.stringMatching(/not found/) },
    ]);
    unlinkSync(file('catalog.json'));
    expect(problemsOf(dir)).toEqual([{ file: 'catalog.json', path: '(root)', message: 'file not found' }]);
    rmSync(file('questionnaires'), { recursive: true });
    expect(problemsOf(dir).map((p) => p.file)).toEqual(['questionnaires', 'catalog.json']);
  });

  it('accepts a byte-order mark and ignores files that are not JSON', () => {
    writeFileSync(file('catalog.json'), `\uFEFF${readFileSync(file('catalog.json'), 'utf8')}`);
    writeFileSync(file('questionnaires/README.txt'), 'ghi chú của IT');
    const config = mustLoad(dir);
    expect(config.files).not.toContain('questionnaires/README.txt');
    expect(config.hash).toBe(mustLoad(EMBEDDED_CONFIG_DIR).hash);
  });

  it('gives the same hash whatever the key order and layout, and another hash for other content', () => {
    const before = mustLoad(dir);
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .reverse()
                .map((k) => [k, reverseKeys((v as Record<string, unknown>)[k])]),
            )
          : v;
    for (const rel of before.files) writeFileSync(file(rel), JSON.stringify(reverseKeys(readJson(rel))));
    expect(readFileSync(file('catalog.json'), 'utf8').startsWith('{"procedures"')).toBe(true);
    const after = mustLoad(dir);
    expect(after.hash).toBe(before.hash);
    expect(after.version).toBe(before.version);

    edit('questionnaires/quick.json', (q) => {
      q.questions[0].text.en = 'Overall, were you satisfied?';
    });
    expect(mustLoad(dir).hash).not.toBe(before.hash);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }, 3], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"x":2,"y":1},3]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('drops undefined properties as JSON does, and keeps "__proto__" as data', () => {
    expect(canonicalJson({ a: undefined, b: 'Hộ tịch' })).toBe('{"b":"Hộ tịch"}');
    expect(canonicalJson(JSON.parse('{"__proto__": {"x": 1}, "a": 2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });
});

describe('config-loader boundaries', () => {
  it('does not import electron (the core must run without it)', () => {
    const source = readFileSync(new URL('../../shared/node/config-loader.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from\s+['"]electron['"]/);
    expect(source).not.toMatch(/require\(\s*['"]electron['"]\s*\)/);
  });
});
