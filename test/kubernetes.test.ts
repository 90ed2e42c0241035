// deploy/kubernetes/ checked offline: every manifest against Kubernetes' own schemas (kubernetes-models), the Job's shard arithmetic run in a real shell, no token in any manifest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { packageRoot } from '../src/base/paths.js';
import { parseScenario } from '../src/scenario/scenario.js';

const dir = path.join(packageRoot, 'deploy', 'kubernetes');
const models: Record<string, new (data: any) => { validate(): void }> = { Job, ConfigMap, PersistentVolumeClaim };

async function manifests(): Promise<Array<{ file: string; doc: any }>> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.yaml')).sort();
  const all: Array<{ file: string; doc: any }> = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(path.join(dir, file), 'utf8'))) {
      assert.deepEqual(doc.errors, [], file);
      all.push({ file, doc: doc.toJS() });
    }
  }
  return all;
}

test("every manifest is valid against Kubernetes' schemas", async () => {
  const all = await manifests();
  assert.deepEqual(all.map(({ doc }) => doc.kind).sort(), ['ConfigMap', 'Job', 'Job', 'PersistentVolumeClaim']);
  for (const { file, doc } of all) {
    const Model = models[doc.kind];
    assert.ok(Model, `${file}: no schema for kind ${doc.kind}`);
    assert.doesNotThrow(() => new Model(doc).validate(), `${file} (${doc.kind})`);
  }
  // Not a check that cannot fail: a misspelt field is refused.
  const job = all.find(({ doc }) => doc.kind === 'Job' && doc.metadata.name === 'drhook-load')!.doc;
  assert.throws(() => new Job({ ...job, spec: { ...job.spec, completionMode: 'Indxed' } }).validate());
  assert.throws(() => new Job({ ...job, spec: { ...job.spec, completions: 'three' } }).validate());
});

test('the shards: an Indexed Job of N completions and N in parallel, tokens from a Secret, the test from the ConfigMap', async () => {
  const all = await manifests();
  const job = all.find(({ doc }) => doc.kind === 'Job' && doc.metadata.name === 'drhook-load')!.doc;
  const config = all.find(({ doc }) => doc.kind === 'ConfigMap')!.doc;
  const shards = Number(config.data.shards);
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.equal(job.spec.completions, shards);
  assert.equal(job.spec.parallelism, shards);
  const [container] = job.spec.template.spec.containers;
  assert.match(container.image, /^drhook:/);
  const env = Object.fromEntries(container.env.map((each: any) => [each.name, each]));
  assert.deepEqual(env.DRHOOK_TEST_SECRET.valueFrom, { secretKeyRef: { name: 'drhook-signing', key: 'test-secret' } });
  for (const each of container.env) assert.equal(each.value, undefined, `${each.name} comes from the ConfigMap or the Secret`);
  assert.ok(!Number.isNaN(Date.parse(config.data['start-at'])));
  // The scenario is one drhook reads.
  const scenario = parseScenario(config.data['scenario.yaml'], 'configmap.yaml');
  assert.ok(scenario.events.length > 0);
  const volumes = job.spec.template.spec.volumes.map((volume: any) => volume.configMap?.name ?? volume.persistentVolumeClaim?.claimName);
  assert.deepEqual(volumes, ['drhook-load', 'drhook-results']);
  for (const { file } of all) assert.doesNotMatch(await readFile(path.join(dir, file), 'utf8'), /kind:\s*Secret|stringData|secret:\s*\S{8,}/i, file);
});

test("the Job's command runs shard JOB_COMPLETION_INDEX+1 of N, and only a usage error fails its pod", async () => {
  const job = (await manifests()).find(({ doc }) => doc.kind === 'Job' && doc.metadata.name === 'drhook-load')!.doc;
  const [container] = job.spec.template.spec.containers;
  const bin = await mkdtemp(path.join(tmpdir(), 'drhook-k8s-'));
  try {
    // A stand-in drhook that prints the arguments it got and exits with the code asked.
    await writeFile(path.join(bin, 'drhook'), '#!/bin/sh\necho "$@"\nexit "$FAKE_EXIT"\n');
    await chmod(path.join(bin, 'drhook'), 0o755);
    const run = (index: number, code: number) =>
      promisify(execFile)(container.command[0], [...container.command.slice(1), ...container.args], {
        env: { PATH: `${bin}:${process.env.PATH}`, JOB_COMPLETION_INDEX: String(index), DRHOOK_SHARDS: '3', DRHOOK_START_AT: '2030-01-01T12:00:00Z', DRHOOK_URL: 'https://r.example/hook', FAKE_EXIT: String(code) },
      }).then(({ stdout }) => ({ code: 0, stdout }), (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }));
    const second = await run(1, 3);
    assert.equal(second.stdout.trim(), 'load https://r.example/hook --scenario /etc/drhook/scenario.yaml --shard 2/3 --start-at 2030-01-01T12:00:00Z --report-dir /results/shard-2 --no-progress');
    assert.equal(second.code, 0, 'an inconclusive shard (exit 3) is no pod failure: the merge judges');
    assert.equal((await run(0, 1)).code, 0);
    assert.match((await run(0, 0)).stdout, /--shard 1\/3 /);
    assert.equal((await run(2, 2)).code, 2, 'a usage error fails the pod');
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});
