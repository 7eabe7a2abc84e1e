import { describe, expect, it } from 'vitest';
import {
  checkField, checkForm, fieldOfProblem, formPayload, initialValues, prefillFrom, validCitizenId, validPhone, validUscc, widgetOf,
} from './form.js';

const field = (type, extra = {}) => ({ name: 'f', label_zh: '字段', label_en: 'Field', type, required: false, max_length: 200, options: [], ...extra });

describe('identifier checks mirror the server', () => {
  it('accepts GB 11643 numbers with the right check character only', () => {
    expect(validCitizenId('11010519491231002X')).toBe(true);
    expect(validCitizenId('329902199001011234')).toBe(true);
    expect(validCitizenId('11010519491231002x')).toBe(false); // lower-case x is refused
    expect(validCitizenId('110105194912310021')).toBe(false); // wrong check digit
    expect(validCitizenId('110105189912310027')).toBe(false); // birth year before 1900
    expect(validCitizenId('11010519490231002X')).toBe(false); // 31 Feb: the check digit cannot save it
    expect(validCitizenId('00010519491231002X')).toBe(false);
  });
  it('accepts GB 32100 codes', () => {
    expect(validUscc('91329900MA1111110F')).toBe(true);
    expect(validUscc('91329900MA1111110G')).toBe(false);
    expect(validUscc('9132990XMA1111110F')).toBe(false); // division code must be digits
    expect(validUscc('91329900MA111111')).toBe(false);
  });
  it('accepts mobile and landline numbers', () => {
    expect(validPhone('13905250000')).toBe(true);
    expect(validPhone('12905250000')).toBe(false);
    expect(validPhone('025-86041050')).toBe(true);
    expect(validPhone('0259-8604105-12')).toBe(true);
    expect(validPhone('02586041050')).toBe(true);
    expect(validPhone('25-86041050')).toBe(false);
  });
});

describe('checkField', () => {
  it('requires required fields, whatever the type', () => {
    expect(checkField(field('string', { required: true }), '')).toEqual({ key: 'required' });
    expect(checkField(field('date', { required: true }), undefined)).toEqual({ key: 'required' });
    expect(checkField(field('string'), '')).toBeNull();
  });
  it('checks numbers, integers and bounds', () => {
    expect(checkField(field('number'), 'abc')).toEqual({ key: 'number' });
    expect(checkField(field('integer'), '2.5')).toEqual({ key: 'integer' });
    expect(checkField(field('integer', { min: 1 }), '0')).toEqual({ key: 'min', params: { min: '1' } });
    expect(checkField(field('number', { max: 10 }), 10.5)).toEqual({ key: 'max', params: { max: '10' } });
    expect(checkField(field('number', { min: 0, max: 10 }), '7.5')).toBeNull();
  });
  it('checks dates, enums, lengths and identifiers', () => {
    expect(checkField(field('date'), '2026-02-30')).toEqual({ key: 'date' });
    expect(checkField(field('date'), '2026-02-28')).toBeNull();
    expect(checkField(field('enum', { options: ['a', 'b'] }), 'c')).toEqual({ key: 'option' });
    expect(checkField(field('string', { max_length: 3 }), '四个汉字')).toEqual({ key: 'maxLength', params: { max: 3 } });
    expect(checkField(field('string', { max_length: 4 }), '四个汉字')).toBeNull(); // code points, not bytes
    expect(checkField(field('citizen_id'), '110105194912310021')).toEqual({ key: 'citizenId' });
    expect(checkField(field('uscc'), 'x')).toEqual({ key: 'uscc' });
    expect(checkField(field('phone'), '123')).toEqual({ key: 'phone' });
    expect(checkField(field('boolean'), false)).toBeNull();
  });
});

describe('form building', () => {
  const fields = [
    field('string', { name: 'applicant_name', required: true }),
    field('citizen_id', { name: 'id_number', required: true }),
    field('phone', { name: 'phone', required: true }),
    field('integer', { name: 'count' }),
    field('boolean', { name: 'alone' }),
    field('date', { name: 'day' }),
  ];
  it('picks a widget per type', () => {
    expect(fields.map(widgetOf)).toEqual(['input', 'input', 'input', 'number', 'switch', 'date']);
    expect(widgetOf(field('text'))).toBe('textarea');
    expect(widgetOf(field('enum'))).toBe('select');
  });
  it('prefills from the profile and starts booleans at false', () => {
    const user = { kind: 'citizen', display_name: '张三', id_number: '11010519491231002X', phone: '13905250000' };
    const values = initialValues(fields, prefillFrom(fields, user));
    expect(values).toEqual({ applicant_name: '张三', id_number: '11010519491231002X', phone: '13905250000', count: '', alone: false, day: '' });
    expect(checkForm(fields, values)).toEqual({});
    expect(prefillFrom(fields, null)).toEqual({});
  });
  it('lists every problem and sends typed values without empty optional fields', () => {
    expect(Object.keys(checkForm(fields, initialValues(fields)))).toEqual(['applicant_name', 'id_number', 'phone']);
    const payload = formPayload(fields, { applicant_name: ' 李四 ', id_number: '11010519491231002X', phone: '13905250000', count: '3', alone: true, day: '' });
    expect(payload).toEqual({ applicant_name: '李四', id_number: '11010519491231002X', phone: '13905250000', count: 3, alone: true });
  });
  it('maps server problem paths to fields', () => {
    expect(fieldOfProblem('/form/phone')).toEqual({ area: 'form', name: 'phone' });
    expect(fieldOfProblem('/materials/2/sha256')).toEqual({ area: 'materials', index: 2 });
    expect(fieldOfProblem('/id_number')).toEqual({ area: 'field', name: 'id_number' });
    expect(fieldOfProblem('')).toEqual({ area: 'other', path: '' });
  });
});
