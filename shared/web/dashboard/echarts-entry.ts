/**
 * The dashboard's ECharts (browser code): only what dashboard.js draws, instead of the full
 * echarts.min.js (1.1 MB). infra/build/dashboard-echarts.ts builds it into one minified script that sets
 * the global `echarts` (what dashboard.js and the browser test call: `init`, `getInstanceByDom`).
 *
 * dashboard.js uses: line and bar series, grid with category/value axes, tooltip (axis trigger,
 * shadow pointer), legend, a markLine (the target), graphic (the "no reasons" text), the canvas
 * renderer. A chart type or component used there must be added here, or ECharts ignores that part
 * of the option (test/e2e/dashboard.test.ts checks each one is present in the rendered charts).
 */
import { BarChart, LineChart } from 'echarts/charts';
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import { getInstanceByDom, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([
  LineChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  GraphicComponent,
  CanvasRenderer,
]);

export { getInstanceByDom, init };
