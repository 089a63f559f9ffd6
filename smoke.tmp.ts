const { Gazetteer } = require('./src/nlu/entities/gazetteer');
const { registerBuiltinLookups } = require('./src/nlu/entities/builtin-lookups');
for (let k = 0; k < 3; k++) { const g = new Gazetteer(); let t0 = process.hrtime.bigint(); registerBuiltinLookups(g); console.log('builtin ms', Number(process.hrtime.bigint() - t0) / 1e6); }
const chars = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质';
const titles: string[] = []; for (let i = 0; i < 100000; i++) { let s = ''; for (let j = 0; j < 8; j++) s += chars[(Math.random() * chars.length) | 0]; titles.push(s); }
const m0 = process.memoryUsage().heapUsed;
const g = new Gazetteer(); let t0 = process.hrtime.bigint(); g.add('product', titles); console.log('100k add ms', Number(process.hrtime.bigint() - t0) / 1e6);
console.log('heap MB', (process.memoryUsage().heapUsed - m0) / 1e6);
registerBuiltinLookups(g);
t0 = process.hrtime.bigint(); for (let i = 0; i < 10000; i++) g.extract('我正在浏览T恤衫，请推荐一些'); console.log('extract us', Number(process.hrtime.bigint() - t0) / 1e3 / 10000);
t0 = process.hrtime.bigint(); console.log(g.remove('product', titles.slice(0, 50000))); console.log('remove 50k ms', Number(process.hrtime.bigint() - t0) / 1e6, g.size);
console.log(g.extract(titles[60000] + '和' + titles[10]).map((e: any) => e.text));
