// Statistics charts: each `.stat-chart[data-chart-for=ID]` is drawn by Apache ECharts from the server-rendered
// table #ID (first column: labels; each further column: one series). Clicking a bar or slice opens the link of
// the matching table cell, so the chart leads to the same list as the number. Without scripts the tables remain.
import * as echarts from 'echarts/core';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

function readTable(table) {
  const headers = Array.from(table.tHead.rows[0].cells).map((c) => c.textContent.trim());
  const rows = Array.from(table.tBodies[0].rows).map((tr) => {
    const cells = Array.from(tr.cells);
    return {
      label: cells[0].textContent.trim(),
      values: cells.slice(1).map((c) => Number(c.dataset.value || 0)),
      links: cells.slice(1).map((c) => { const a = c.querySelector('a'); return a ? a.href : null; }),
    };
  });
  return { headers, rows };
}

function draw(holder) {
  const table = document.getElementById(holder.dataset.chartFor);
  if (!table) return;
  const { headers, rows } = readTable(table);
  // SVG: crisp when printed, and each bar is an element (reachable by keyboard tools and tests)
  const chart = echarts.init(holder, null, { renderer: 'svg' });
  let option;
  if (holder.dataset.chartType === 'pie') {
    option = {
      tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
      legend: { bottom: 0, type: 'scroll' },
      series: [{ type: 'pie', radius: ['35%', '65%'], center: ['50%', '45%'],
        data: rows.map((r, i) => ({ name: r.label, value: r.values[0], link: r.links[0], index: i })) }],
    };
  } else {
    const columns = headers.slice(1).map((name, col) => ({ name, col }))
      .filter(({ col }) => rows.some((r) => r.links[col]) || col === 0);
    option = {
      tooltip: { trigger: 'axis' },
      legend: columns.length > 1 ? { top: 0, type: 'scroll' } : undefined,
      grid: { left: 40, right: 10, top: columns.length > 1 ? 30 : 10, bottom: 60, containLabel: true },
      xAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { interval: 0, rotate: rows.length > 5 ? 30 : 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: columns.map(({ name, col }) => ({
        name, type: 'bar', label: { show: true, position: 'top' },
        data: rows.map((r) => ({ value: r.values[col], link: r.links[col] })),
      })),
    };
  }
  chart.setOption(option);
  chart.on('click', (params) => {
    const link = params.data && params.data.link;
    if (link) window.location.assign(link);
  });
  holder.dataset.ready = '1';
  window.addEventListener('resize', () => chart.resize());
}

function start() {
  document.querySelectorAll('.stat-chart[data-chart-for]').forEach(draw);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
