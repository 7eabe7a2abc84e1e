// ECharts with only what the cockpit draws: bar, line and pie charts on a grid with tooltips and a
// legend, rendered to canvas. Importing from 'echarts/core' keeps the chart chunk small; this
// module is imported by CockpitChart.vue only (the cockpit and the hot-issue page), so it never
// reaches the citizen path.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export { echarts };
