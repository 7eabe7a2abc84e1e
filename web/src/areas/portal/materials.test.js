import { describe, expect, it } from 'vitest';
import {
  checkFile, choicesFromCase, extraCaseMaterials, formatBytes, initialChoices, materialPlan, materialsPayload, missingMandatory, planIndexOfSent,
} from './materials.js';

const materials = [
  { name: '申请人居民身份证', mandatory: true, certificate_type: '居民身份证' },
  { name: '居民户口簿', mandatory: true, certificate_type: '居民户口簿' },
  { name: '银行账户信息', mandatory: true, certificate_type: '' },
  { name: '授权委托书', mandatory: false, certificate_type: '' },
];
const matches = {
  items: [
    { material: '申请人居民身份证', certificate_type: '居民身份证', certificates: [{ identifier: 'cert-1', name: '居民身份证' }] },
    { material: '居民户口簿', certificate_type: '居民户口簿', certificates: [] },
  ],
};

describe('material matching (免提交)', () => {
  const plan = materialPlan(materials, matches);
  it('attaches the wallet certificates a material accepts', () => {
    expect(plan.map((p) => p.certificates.length)).toEqual([1, 0, 0, 0]);
    expect(plan[1].certificateType).toBe('居民户口簿');
    expect(plan[3].mandatory).toBe(false);
    expect(materialPlan(materials, null)[0].certificates).toEqual([]);
  });
  it('uses a matching certificate by default and asks for the rest', () => {
    const choices = initialChoices(plan);
    expect(choices[0]).toEqual({ kind: 'certificate', id: 'cert-1' });
    expect(missingMandatory(plan, choices)).toEqual([1, 2]);
  });
  it('sends certificates and uploads in the item order, and maps problems back', () => {
    const choices = [{ kind: 'certificate', id: 'cert-1' }, { kind: 'none' }, { kind: 'file', sha256: 'ab'.repeat(32) }, { kind: 'none' }];
    expect(materialsPayload(plan, choices)).toEqual([
      { name: '申请人居民身份证', certificate_id: 'cert-1' },
      { name: '银行账户信息', sha256: 'ab'.repeat(32) },
    ]);
    expect(planIndexOfSent(plan, choices, 1)).toBe(2);
    expect(planIndexOfSent(plan, choices, 5)).toBe(-1);
  });
  it('starts a resubmission from what the case holds', () => {
    const held = [{ name: '银行账户信息', sha256: 'cd'.repeat(32) }, { name: '旧材料', sha256: 'ef'.repeat(32) }];
    const choices = choicesFromCase(plan, held);
    expect(choices[0]).toEqual({ kind: 'certificate', id: 'cert-1' });
    expect(choices[2]).toMatchObject({ kind: 'file', sha256: 'cd'.repeat(32), kept: true });
    expect(extraCaseMaterials(plan, held)).toEqual([{ name: '旧材料', sha256: 'ef'.repeat(32) }]);
  });
});

describe('files', () => {
  it('accepts PDF, JPEG and PNG up to 10 MB', () => {
    expect(checkFile({ type: 'application/pdf', size: 100 })).toBeNull();
    expect(checkFile({ type: 'image/png', size: 10 * 1024 * 1024 })).toBeNull();
    expect(checkFile({ type: 'image/gif', size: 100 })).toBe('type');
    expect(checkFile({ type: 'image/jpeg', size: 10 * 1024 * 1024 + 1 })).toBe('size');
    expect(checkFile({ type: 'image/jpeg', size: 0 })).toBe('empty');
    expect(checkFile(null)).toBe('none');
  });
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});
