// The words of an appeal in the current language: type, state, class, clock, department, step.
import { useI18n } from 'vue-i18n';
import { ref } from 'vue';
import { deptName, loadDepartments } from '../../departments.js';
import { clockWords, eventKey, labelKey } from './appeals.js';

export function useAppealWords() {
  const { t, locale } = useI18n();
  const departments = ref([]);
  loadDepartments().then((d) => {
    departments.value = d;
  });
  const typeName = (type) => (type ? t(`appeals.types.${type}`) : '');
  const stateName = (state) => (state ? t(`appeals.states.${state}`) : '');
  const labelName = (label) => {
    const k = labelKey(label);
    return k ? t(`appeals.labels.${k}`) : label || '';
  };
  const dept = (id) => deptName(departments.value, id, id);
  const clockText = (appeal) => {
    const w = clockWords(appeal);
    return w ? t(`appeals.clock.${w.key}`, { n: w.n }) : '';
  };
  const stepName = (event) => t(`appeals.events.${eventKey(event)}`);
  return { t, locale, departments, typeName, stateName, labelName, dept, clockText, stepName };
}
