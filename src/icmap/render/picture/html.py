"""A self-contained HTML page of a Picture, laid out in the browser by Graphviz (Viz.js).

The page embeds the same DOT source as ``icmap graph -f dot`` (without its legend: the side
panel has one) and Viz.js, Graphviz compiled to WebAssembly (``render/picture/vendor/viz-js``; see its
README for the version and licence). The browser lays the picture out with Graphviz's ``dot``
and puts the SVG in the page, so the HTML page and ``-f svg`` draw the same picture. Nothing is
fetched: the engine is inlined (base64, so the page is ASCII apart from names), which also
works from ``file://``.

Every name is escaped for HTML, the data the script reads is JSON with ``<``, ``>`` and ``&``
written as ``\\u`` escapes, so no name can close the script element or inject markup, and the
script puts names on the page with ``textContent`` and ``setAttribute`` only. Graphviz escapes
the labels in its SVG, and the DOT labels are escaped by :mod:`icmap.render.picture.dot`.
"""

from __future__ import annotations

import base64
import functools
import html
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from icmap.analysis.page import (
    BROWSER_HANDOFFS,
    IMPACT_LIMIT,
    LABELLED_HANDOFFS,
    PANEL_HANDOFFS,
)
from icmap.analysis.picture import measured_text
from icmap.compact import collector_paused
from icmap.model import format_hours
from icmap.render.picture import dot
from icmap.render.picture.stream_words import facts as stream_facts
from icmap.render.report import measured_words, stream_words
from icmap.render.report.words import amount, chain, link, plural, stranded_names

if TYPE_CHECKING:
    from icmap.analysis.page import Headlines, Page, Withheld
    from icmap.analysis.picture import Picture, PictureEdge
    from icmap.analysis.streams import StreamFlow

#: The vendored engine, relative to the ``icmap`` package.
ENGINE = ("render", "picture", "vendor", "viz-js", "viz-global.js")
#: Entries per headline list in the side panel before "and N more".
_TOP = 8

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#263238;display:flex;height:100vh}
#canvas{flex:1;overflow:auto;cursor:grab;background:#fafafa;position:relative;display:flex}
#canvas.dragging{cursor:grabbing}
/* Centred while smaller than the window; auto margins never push it out of reach. */
#canvas svg{display:block;margin:auto;flex:none}
#status{padding:24px}
#too-large{position:fixed;top:8px;left:8px;z-index:3;max-width:min(640px,max(240px,calc(100vw - 400px)));margin:0;padding:10px 12px;background:#fff8e1;border:1px solid #ffb300;border-radius:6px}
#too-large p{margin:0 0 6px}p#too-large{position:static;margin:24px;max-width:640px;align-self:flex-start}
aside{width:360px;flex:none;padding:12px 16px;border-left:1px solid #cfd8dc;overflow-y:auto;background:#fff;overflow-wrap:anywhere}
h1{font-size:17px;margin:0 0 4px}h2{font-size:14px;margin:14px 0 4px}h3{font-size:13px;margin:10px 0 2px}
ul{padding-left:18px;margin:4px 0}li{margin:1px 0}.muted{color:#607d8b}
.controls{display:flex;gap:4px;flex-wrap:wrap;align-items:center;margin:6px 0}
input[type=search]{width:100%;padding:4px 6px;font:inherit}
select{max-width:100%;font:inherit}
button{font:inherit}
#matches li{cursor:pointer;text-decoration:underline}
button.step{background:none;border:0;padding:0;color:#1565c0;text-decoration:underline;cursor:pointer;text-align:left}
button.step[aria-current]{color:inherit;font-weight:600;text-decoration:none}
/* With no picture the panel is the page: wider, beside the words that say why. */
body.no-picture aside{width:min(640px,100%)}
#details:empty{display:none}
body.wide aside{display:none}
#show-panel{display:none;position:fixed;top:8px;right:8px;z-index:2}
body.wide #show-panel{display:block}
#details{border:1px solid #cfd8dc;border-radius:6px;padding:8px;margin:8px 0;background:#fcfcfc}
.node{cursor:pointer}.node.handoff-label{cursor:inherit}
/* Dimmed by the opacity of each fill and line, not of each group: a group's opacity makes the
browser paint it apart and blend it, thousands of times on a large picture at every click. */
svg.lit .node:not(.hl),svg.lit .edge:not(.hl),svg.lit .cluster{fill-opacity:.25;stroke-opacity:.25}
/* A line Graphviz drew with an opacity of its own (a band of joint work) sets it on the line,
which the group's would not reach. */
svg.lit .edge:not(.hl) path,svg.lit .edge:not(.hl) polygon{fill-opacity:.25;stroke-opacity:.25}
.node.hl-selected path,.node.hl-selected polygon,.node.hl-selected ellipse{stroke:#d81b60;stroke-width:4}
.node.hl-match path,.node.hl-match polygon{stroke:#d81b60;stroke-width:4;stroke-dasharray:6 3}
.node.hl-down path,.node.hl-down polygon{stroke:#ef6c00;stroke-width:3}
.node.hl-stranded path,.node.hl-stranded polygon{stroke:#6d4c41;stroke-width:3;stroke-dasharray:4 3}
.node.hl-stream path,.node.hl-stream polygon{stroke:#00838f;stroke-width:3}
.edge.hl-stream path{stroke:#00838f;stroke-width:3}.edge.hl-stream polygon{stroke:#00838f;fill:#00838f}.handoff-label.hl-stream text{fill:#00695c}
.node.hl-critical path,.node.hl-critical polygon{stroke:#c2185b;stroke-width:4}
.edge.hl-critical path{stroke:#c2185b;stroke-width:4}.edge.hl-critical polygon{stroke:#c2185b;fill:#c2185b}
.edge.hl-out path{stroke:#2e7d32;stroke-width:3}.edge.hl-in path{stroke:#1565c0;stroke-width:3}
.edge.hl-out polygon{stroke:#2e7d32;fill:#2e7d32}.edge.hl-in polygon{stroke:#1565c0;fill:#1565c0}
.handoff-label.hl-out text{fill:#2e7d32}.handoff-label.hl-in text{fill:#1565c0}.handoff-label.hl-critical text{fill:#c2185b}
.swatch{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:6px;vertical-align:middle}
#legend svg{display:block;width:100%;height:auto}
#stream-facts dt{font-weight:600;margin-top:3px}#stream-facts dd{margin:0 0 0 10px}
summary{cursor:pointer;color:#37474f}details.more>ul{margin-top:2px}#legend text{font-size:12px;fill:#263238}
"""

_SCRIPT = r"""
(function(){
'use strict';
const data=JSON.parse(document.getElementById('icmap-data').textContent);
const canvas=document.getElementById('canvas'),status=document.getElementById('status');
const details=document.getElementById('details');
const byId=new Map(data.nodes.map(function(n,i){return [n.id,i];}));
let svg=null,width=0,height=0,scale=1;
// Each node's group and each hand-off's parts by its ends, filled once the picture is drawn: a
// click looks them up instead of searching the whole SVG for each team it lights (at 1,000
// teams that search made a click take most of a second).
const nodeEl=new Map(),fromEl=new Map(),toEl=new Map();let marked=[];
// The page opens on the whole picture ("Whole picture"), however small its text; the smallest
// font in the drawing is 11 units, so "Fit to width" never shows it under 11 px.
const READABLE=1,MIN_SCALE=0.05,MAX_SCALE=4,MATCHES=20;
function load(){
 const b=atob(document.getElementById('icmap-engine').textContent.trim());
 const bytes=new Uint8Array(b.length);for(let i=0;i<b.length;i++)bytes[i]=b.charCodeAt(i);
 (0,eval)(new TextDecoder().decode(bytes));
 return window.Viz.instance();
}
function zoom(to,cx,cy){
 // Never smaller than the whole picture needs, even past MIN_SCALE (a tall 300-team org).
 const old=scale;scale=Math.max(Math.min(MIN_SCALE,wholeScale()),Math.min(MAX_SCALE,to));
 const x=cx===undefined?canvas.clientWidth/2:cx,y=cy===undefined?canvas.clientHeight/2:cy;
 const px=(canvas.scrollLeft+x)/old,py=(canvas.scrollTop+y)/old;
 svg.setAttribute('width',String(width*scale));svg.setAttribute('height',String(height*scale));
 canvas.scrollLeft=px*scale-x;canvas.scrollTop=py*scale-y;
}
// Fit to width, but never below READABLE. A picture wider or taller than the window then opens
// on what it is about: the teams in focus (--focus, --group), else the customers at its
// right-hand end, where the work goes; its middle is often only crossing hand-offs.
function fit(){
 zoom(Math.max(READABLE,Math.min(canvas.clientWidth/width,1.6)));
 const focus=svg.querySelectorAll('.node.role-focus');
 const anchor=focus.length?focus:svg.querySelectorAll('.node.kind-customer');
 const c=canvas.getBoundingClientRect();
 let x=width*scale/2,y=height*scale/2;
 if(anchor.length){
  let l=Infinity,t=Infinity,r=-Infinity,b=-Infinity;
  anchor.forEach(function(g){const q=g.getBoundingClientRect();
   l=Math.min(l,q.left);t=Math.min(t,q.top);r=Math.max(r,q.right);b=Math.max(b,q.bottom);});
  x=canvas.scrollLeft+(l+r)/2-c.left;y=canvas.scrollTop+(t+b)/2-c.top;
 }
 canvas.scrollLeft=x-canvas.clientWidth/2;canvas.scrollTop=y-canvas.clientHeight/2;
}
// The whole picture in the window, never enlarged past 1.6: how the page opens.
function wholeScale(){return Math.min(canvas.clientWidth/width,canvas.clientHeight/height,1.6);}
function whole(){zoom(wholeScale());canvas.scrollLeft=0;canvas.scrollTop=0;}
// How the page opens: the whole picture, unless that leaves a strip across less than a quarter
// of the window (every team of a 1,000-team org is ten times as tall as wide, a thin line at
// that scale): then as wide as the window (as tall, for a wide strip), from where it starts.
function opening(){
 const s=wholeScale(),thin=width*s<canvas.clientWidth/4;
 if(!thin&&height*s>=canvas.clientHeight/4){whole();return;}
 zoom(Math.min(thin?canvas.clientWidth/width:canvas.clientHeight/height,1.6));
 canvas.scrollLeft=0;canvas.scrollTop=0;
}
// A page with no picture (too large for the browser) has nothing to light: its panel alone answers.
function mark(el,cls){if(!el)return;el.classList.add('hl',cls);marked.push(el);}
// Dims the picture (lit) or not. Toggled only when that changes: each change restyles every
// element of the picture, so going from one team to the next keeps it.
function clear(lit){
 if(svg)svg.classList.toggle('lit',!!lit);
 const was=marked;marked=[];
 was.forEach(function(el){
  // A copy: removing from the live class list while walking it would skip classes.
  Array.from(el.classList).forEach(function(c){if(c.indexOf('hl')===0)el.classList.remove(c);});});
}
function node(id){return nodeEl.get(id)||null;}
// Every part of the hand-offs from (or to) a node: both halves of its line, and its label.
function edgesOf(attr,id){return (attr==='data-from'?fromEl:toEl).get(id)||[];}
function add(list,text){const li=document.createElement('li');li.textContent=text;list.appendChild(li);return li;}
function section(title,entries,empty){
 const h=document.createElement('h3');h.textContent=hue(title);
 const ul=document.createElement('ul');entries.forEach(function(t){add(ul,t);});
 if(!entries.length)add(ul,empty);details.append(h,ul);
}
// The colours a heading names are the picture's: a page without one leaves them out.
function hue(title){return data.dot?title:title.replace(/ \([a-z, ]+\)$/,'');}
// A node's name alone: a group's label goes on with its size on further lines.
function named(id){return names([id])[0].split('\n')[0];}
function names(ids){return ids.map(function(id){const i=byId.get(id);return i===undefined?id:data.nodes[i].label;});}
// What a team's failure does, found when it is clicked by walking what the page carries once
// (the hand-offs its work follows, the dominator tree under it): every team's lists, carried
// instead, grew with teams times blast radius (a 1,850-team page 14 MB). Each list comes in
// index order, which is icmap's order of ids; never the team itself.
let walk=null;
function impact(id){
 const g=data.downstream,n=g.ids.length;
 if(!walk){
  walk={index:new Map(g.ids.map(function(x,i){return [x,i];})),customer:new Uint8Array(n),under:[]};
  g.customers.forEach(function(i){walk.customer[i]=1;});
  for(let i=0;i<n;i++)walk.under.push([]);
  g.dominator.forEach(function(d,i){if(d>=0)walk.under[d].push(i);});
 }
 const start=walk.index.get(id),seen=new Uint8Array(n),todo=[start];seen[start]=1;
 while(todo.length){const s=g.succ[todo.pop()];
  for(let k=0;k<s.length;k++)if(!seen[s[k]]){seen[s[k]]=1;todo.push(s[k]);}}
 seen[start]=0;
 const hit={downstream:[],customers:[],stranded:[]};
 for(let i=0;i<n;i++)if(seen[i])(walk.customer[i]?hit.customers:hit.downstream).push(g.ids[i]);
 const stranded=[],below=walk.under[start].slice();
 while(below.length){const i=below.pop();stranded.push(i);walk.under[i].forEach(function(j){below.push(j);});}
 stranded.sort(function(a,b){return a-b;}).forEach(function(i){hit.stranded.push(g.ids[i]);});
 return hit;
}
// Only one of a team, a critical path and a stream is lit at a time: choosing one resets the rest.
function reset(keep){['critical','stream'].forEach(function(s){const e=document.getElementById(s);if(e&&s!==keep)e.value='';});}
function select(id){
 clear(true);details.replaceChildren();reset();
 const n=data.nodes[byId.get(id)];
 mark(node(id),'hl-selected');
 edgesOf('data-from',id).forEach(function(e){mark(e,'hl-out');const m=node(e.dataset.to);if(m)mark(m,'hl-near');});
 edgesOf('data-to',id).forEach(function(e){mark(e,'hl-in');const m=node(e.dataset.from);if(m)mark(m,'hl-near');});
 // A group's label goes on with its size on further lines: those join the line under it.
 const lines=n.label.split('\n'),h=document.createElement('h2');h.textContent=lines[0];
 const p=document.createElement('p');p.className='muted';
 const what=n.teams===undefined?(n.type||n.kind):n.kind==='team'?'group':n.kind+'s';
 p.textContent=[n.id,what].concat(lines.slice(1),[n.group,n.lead&&('lead: '+n.lead)]).filter(Boolean).join(' · ');
 details.append(h,p);
 if(n.description){const d=document.createElement('p');d.textContent=n.description;details.append(d);}
 const none=data.dot?'nothing in this picture':'nothing';
 if(n.provides){section('Provides (green)',n.provides,none);section('Receives (blue)',n.receives,none);}
 else{const q=document.createElement('p');q.className='muted';q.textContent=data.no_handoffs;details.append(q);}
 const f=n.facts;
 if(f){
  const hit=impact(id);
  hit.downstream.forEach(function(t){const m=node(t);if(m)mark(m,'hl-down');});
  hit.customers.forEach(function(t){const m=node(t);if(m)mark(m,'hl-down');});
  hit.stranded.forEach(function(t){const m=node(t);if(m)mark(m,'hl-stranded');});
  section('If it fails: downstream (orange)',names(hit.downstream),'no team downstream');
  section('Customers hit',names(hit.customers),'no customer');
  section('Stranded: no other way to a customer (brown, dashed)',names(hit.stranded),'none');
  section('Critical path role',[f.critical_for.length?'on the critical path to '+f.critical_for.map(function(c){return names([c])[0]+(f.tied_to.indexOf(c)<0?'':' (tied)');}).join(', '):'on no critical path'].concat(f.slack===null?[]:['slack: '+f.slack]),'');
 } else if(n.teams!==undefined){
  const q=document.createElement('p');q.className='muted';q.textContent=data.group_note;details.append(q);
 } else if(n.kind!=='customer'){
  const q=document.createElement('p');q.className='muted';q.textContent=data.no_facts;details.append(q);
 }
 if(!data.dot)details.scrollIntoView({block:'start'});
}
function critical(customer){
 clear(!!customer);details.replaceChildren();reset('critical');if(!customer)return;
 const path=data.critical[customer];
 if(path.length<2){const p=document.createElement('p');p.className='muted';
  p.textContent=named(customer)+': no delivery chain: no team\u2019s delivered work reaches it.';
  details.append(p);return;}
 path.forEach(function(id,i){const m=node(id);if(m)mark(m,'hl-critical');
  if(i)edgesOf('data-from',path[i-1]).forEach(function(e){if(e.dataset.to===id)mark(e,'hl-critical');});
});
 (data.ties[customer]||[]).forEach(function(tie){[tie[0],tie[1]].forEach(function(id){const m=node(id);if(m)mark(m,'hl-critical');});
  edgesOf('data-from',tie[0]).forEach(function(e){if(e.dataset.to===tie[1])mark(e,'hl-critical');});
});
 // A focus or a group draws part of the org: a path leaving it is listed whole, and said to.
 const away=path.filter(function(id){return !node(id);});
 if(!data.dot||away.length)steps(customer,null);
 if(data.dot&&away.length){const p=document.createElement('p');p.className='muted';
  p.textContent=away.length+' of its '+path.length+' teams are not in this picture: the path leaves it.';
  details.append(p);}
}
// With no picture to light, the path is a list in the panel: each step opens its team's panel
// above the path, which stays to walk on from (the step shown in bold).
function steps(customer,at){
 const path=data.critical[customer];
 const h=document.createElement('h2');h.textContent='Critical path to '+named(customer);
 const ol=document.createElement('ol');ol.id='critical-steps';
 path.forEach(function(id){
  const li=document.createElement('li'),b=document.createElement('button');b.type='button';
  b.className='step';b.textContent=named(id);b.title=id;if(id===at)b.setAttribute('aria-current','step');
  b.addEventListener('click',function(){select(id);document.getElementById('critical').value=customer;steps(customer,id);});
  li.append(b);ol.append(li);
 });
 details.append(h,ol);
 const ties=data.ties[customer]||[];
 if(ties.length){const p=document.createElement('p');p.className='muted';
  p.textContent='As long: '+ties.map(function(t){return t.map(named).join(' \u2192 ');}).join('; ');details.append(p);}
}
function handoff(from,to,cls){edgesOf('data-from',from).forEach(function(e){if(e.dataset.to===to)mark(e,cls);});}
// A value stream: its hand-offs and teams in teal, its critical path in the critical path's
// colour, its numbers (computed by icmap) in the panel.
function stream(id){
 clear(!!id);details.replaceChildren();reset('stream');if(!id)return;
 const s=data.streams[id];
 s.nodes.forEach(function(n){const m=node(n);if(m)mark(m,'hl-stream');});
 s.edges.forEach(function(e){handoff(e[0],e[1],'hl-stream');});
 s.path.forEach(function(n,i){const m=node(n);if(m)mark(m,'hl-critical');if(i)handoff(s.path[i-1],n,'hl-critical');});
 s.ties.forEach(function(e){handoff(e[0],e[1],'hl-critical');e.forEach(function(n){const m=node(n);if(m)mark(m,'hl-critical');});});
 const h=document.createElement('h2');h.textContent=s.label;
 const p=document.createElement('p');p.className='muted';p.textContent=s.about;
 const dl=document.createElement('dl');dl.id='stream-facts';
 s.facts.forEach(function(f){const dt=document.createElement('dt'),dd=document.createElement('dd');
  dt.textContent=f[0];dd.textContent=f[1];dl.append(dt,dd);});
 const c=document.createElement('p');c.className='muted';
 c.textContent=hue('Critical path (magenta)')+': '+names(s.path).join(' \u2192 ');
 details.append(h,p,dl,c);
}
function search(text){
 const list=document.getElementById('matches');list.replaceChildren();
 // Accents and case do not count: "equipe" finds "Équipe", "orsted" "Ørsted", "strasse" "Straße".
 const apart={'ø':'o','ł':'l','đ':'d','ß':'ss','æ':'ae','œ':'oe','þ':'th','\u0131':'i'};
 const fold=function(s){return s.normalize('NFD').replace(/[\u0300-\u036f]/g,'').toLowerCase()
  .replace(/[øłđßæœþ\u0131]/g,function(c){return apart[c];});};
 const q=fold(text.trim());if(!q){clear(false);return;}
 const has=function(s){return fold(s).indexOf(q)>=0;};
 // A team drawn inside a group (an overview) is found in its group.
 const found=[];
 data.nodes.forEach(function(n){
  if(has(n.label)||has(n.id))found.push([n,n.label.split('\n')[0]+' ('+n.id+')']);
  (n.members||[]).forEach(function(m){if(has(m[0])||has(m[1]))found.push([n,m[1]+' ('+m[0]+') in '+n.label.split('\n')[0]]);});
 });
 clear(found.length>0);
 // The first MATCHES, and the rest behind "and N more", as the panel's other lists.
 let into=list;
 found.forEach(function(f,i){
  if(i===MATCHES){
   const more=document.createElement('details'),s=document.createElement('summary');
   more.className='more';s.textContent='and '+(found.length-MATCHES).toLocaleString('en')+' more';
   into=document.createElement('ul');more.append(s,into);
   const li=document.createElement('li');li.className='more-matches';li.append(more);list.append(li);
  }
  const n=f[0],m=node(n.id);if(m)mark(m,'hl-match');
  const li=add(into,f[1]);
  li.addEventListener('click',function(){select(n.id);show(n.id);});});
 if(!found.length)add(list,'no team matches');
}
function show(id){
 const m=node(id);if(!m)return;
 const r=m.getBoundingClientRect(),c=canvas.getBoundingClientRect();
 canvas.scrollLeft+=r.left-c.left-c.width/2+r.width/2;canvas.scrollTop+=r.top-c.top-c.height/2+r.height/2;
}
function mount(viz){
 performance.mark('icmap-engine');svg=viz.renderSVGElement(data.dot);performance.mark('icmap-layout');
 const box=svg.viewBox.baseVal;width=box.width;height=box.height;
 svg.removeAttribute('width');svg.removeAttribute('height');
 data.nodes.forEach(function(n,i){
  const g=svg.getElementById('icmap-n'+i);if(!g)return;
  g.setAttribute('data-id',n.id);nodeEl.set(n.id,g);
  const t=g.querySelector('title');if(t)t.textContent=n.label+' ('+n.id+')';
  g.addEventListener('click',function(ev){ev.stopPropagation();select(n.id);});
 });
 // A hand-off is drawn as two halves of a line and its label between them, as a node: all
 // three carry its ends, so it lights up as one.
 data.edges.forEach(function(e,i){['-from','-label','-to'].forEach(function(part){
  const g=svg.getElementById('icmap-e'+i+part);if(!g)return;
  g.setAttribute('data-from',e.from);g.setAttribute('data-to',e.to);
  [[fromEl,e.from],[toEl,e.to]].forEach(function(m){const l=m[0].get(m[1]);if(l)l.push(g);else m[0].set(m[1],[g]);});
  const t=g.querySelector('title');if(t)t.textContent=e.from+' \u2192 '+e.to+(e.label?': '+e.label:'');
 });});
 data.groups.forEach(function(name,i){
  const g=svg.getElementById('icmap-g'+i);if(g)g.setAttribute('data-group',name);
 });
 status.remove();canvas.appendChild(svg);opening();
 // For benchmarks/page.py and the browser tests: the picture is in the page.
 performance.mark('icmap-drawn');document.body.setAttribute('data-drawn','');
}
let drag=null,moved=false;
canvas.addEventListener('pointerdown',function(e){drag={x:e.clientX,y:e.clientY,l:canvas.scrollLeft,t:canvas.scrollTop};moved=false;});
window.addEventListener('pointermove',function(e){if(!drag)return;
 if(Math.abs(e.clientX-drag.x)+Math.abs(e.clientY-drag.y)>3){moved=true;canvas.classList.add('dragging');}
 canvas.scrollLeft=drag.l-(e.clientX-drag.x);canvas.scrollTop=drag.t-(e.clientY-drag.y);});
window.addEventListener('pointerup',function(){drag=null;canvas.classList.remove('dragging');});
canvas.addEventListener('click',function(){if(!moved&&svg){clear(false);details.replaceChildren();}});
canvas.addEventListener('wheel',function(e){if(!svg||!(e.ctrlKey||e.metaKey))return;e.preventDefault();
 const c=canvas.getBoundingClientRect();zoom(scale*(e.deltaY<0?1.15:1/1.15),e.clientX-c.left,e.clientY-c.top);},{passive:false});
// A page with no picture has no zoom buttons.
function button(id,act){const b=document.getElementById(id);if(b)b.addEventListener('click',act);}
button('fit',function(){if(svg)fit();});
// Hiding the panel gives the picture the window's width: open it on that width again.
function panel(show){document.body.classList.toggle('wide',!show);if(svg)opening();}
button('hide-panel',function(){panel(false);});
button('show-panel',function(){panel(true);});
button('whole',function(){if(svg)whole();});
button('zoom-in',function(){if(svg)zoom(scale*1.25);});
const closer=document.getElementById('too-large-close');
if(closer)closer.addEventListener('click',function(){document.getElementById('too-large').remove();});
button('zoom-out',function(){if(svg)zoom(scale/1.25);});
// A picture still being laid out is not ready; a page without one is ready at once.
function ready(){return !!svg||!data.dot;}
document.getElementById('search').addEventListener('input',function(e){if(ready())search(e.target.value);});
document.getElementById('critical').addEventListener('change',function(e){if(ready())critical(e.target.value);});
const streams=document.getElementById('stream');
if(streams)streams.addEventListener('change',function(e){if(ready())stream(e.target.value);});
// A picture of one stream opens with that stream lit and its numbers shown.
// No DOT: the picture asked for was too large to lay out here, and the page says so instead.
if(data.dot)load().then(mount).then(function(){if(svg&&streams&&streams.value)stream(streams.value);}).catch(function(err){status.textContent='Could not lay out the picture: '+err;console.error(err);});
})();
"""


@functools.cache
def _engine() -> str:
    """The vendored Viz.js, base64: its WebAssembly is a string of raw bytes, control
    characters included, which must not reach a terminal or break the HTML."""
    source = resources.files("icmap").joinpath("/".join(ENGINE)).read_bytes()
    return base64.b64encode(source).decode("ascii")


def _relation_text(edge: PictureEdge, other: str, arrow: str) -> list[str]:
    if edge.handoffs is not None:  # an overview's edge: it says how many hand-offs
        return [f"{edge.label} {arrow} {other}"]
    if not edge.relations:
        return [f"{arrow} {other} (through teams not shown)"]
    texts = []
    for relation in edge.relations:
        details = []
        if relation.measured is not None:  # the log's numbers stand for the lead time
            details.append(measured_text(relation))
        elif relation.lead_time is not None:
            details.append(format_hours(relation.lead_time.hours))
        if relation.satisfaction is not None:
            details.append(f"satisfaction {relation.satisfaction:.1f}")
        if relation.mode:
            details.append(relation.mode)
        if relation.state:
            details.append(relation.state)
        if relation.feedback:
            details.append("feedback")
        suffix = f" ({', '.join(details)})" if details else ""
        texts.append(f"{relation.what} {arrow} {other}{suffix}")
    return texts


def _groups(picture: Picture) -> list[str]:
    """The clusters in :func:`icmap.render.picture.dot.build`'s order (``icmap-g0``, ``icmap-g1``, …)."""
    return sorted({n.group for n in picture.nodes if n.kind == "team" and n.group})


def page_data(page: Page) -> dict[str, Any]:
    """What the script reads: the DOT, each node's details and facts, the critical paths."""
    picture, report = page.picture, page.report
    unit = report.critical.unit
    provided: dict[str, list[str]] = {node.id: [] for node in picture.nodes}
    received: dict[str, list[str]] = {node.id: [] for node in picture.nodes}
    # Each node is named by its label's first line: a team by its name (as the impact lists
    # name it), a node standing for several (``group:Sales``) by its group's.
    names = {n.id: n.label.split("\n")[0] for n in picture.nodes}
    drawn = page.withheld is None or page.withheld.instead != "nothing"
    # A page with no picture of a very large org names its teams but leaves their hand-offs out.
    withheld = page.withheld
    # The hand-offs asked for: a picture of every team not drawn may come without them.
    asked = len(picture.edges) if withheld is None else withheld.handoffs
    handoffs = drawn or asked <= PANEL_HANDOFFS
    for e in picture.edges if handoffs else ():  # one pass over the edges, not one per node
        provided[e.provider].extend(_relation_text(e, names.get(e.receiver, e.receiver), "→"))
        received[e.receiver].extend(_relation_text(e, names.get(e.provider, e.provider), "←"))
    nodes = []
    for node in picture.nodes:
        facts = page.facts.get(node.id)
        nodes.append(
            {
                "id": node.id,
                "label": node.label,
                "kind": node.kind,
                "group": node.group,
                "lead": node.lead,
                "description": node.description,
                **({"type": node.type} if node.type else {}),
                **({"teams": node.teams} if node.teams is not None else {}),
                **(
                    {"members": [list(m) for m in page.members[node.id]]}
                    if node.id in page.members
                    else {}
                ),
                **(
                    {"provides": provided[node.id], "receives": received[node.id]}
                    if handoffs
                    else {}
                ),
                "facts": None
                if facts is None
                else {
                    "critical_for": list(facts.critical_for),
                    "tied_to": list(facts.tied_to),
                    # On a critical path (a tie included) a team has no slack, loop or not.
                    "slack": None
                    if facts.slack is None
                    else amount(facts.slack, unit)
                    if facts.critical_for or not facts.slack_lower_bound
                    else "not known (inside a loop, icmap finds only a lower bound, here 0)"
                    if facts.slack == 0
                    else f"at least {amount(facts.slack, unit)} (inside a loop, a lower bound)",
                },
            }
        )
    labels = len(picture.edges) <= LABELLED_HANDOFFS
    return {
        "dot": dot.render(picture, legend=False, labels=labels) if drawn else None,
        "nodes": nodes,
        # Drawn without their labels, hand-offs say what flows in their tooltips.
        # Only the drawing reads them (each node's hand-offs are in its own lists).
        "edges": [
            {"from": e.provider, "to": e.receiver, **({} if labels else {"label": e.label})}
            for e in (picture.edges if drawn else ())
        ],
        "groups": _groups(picture),
        "critical": {
            p.customer: _shown_path(p.path, picture.stands_for) for p in report.critical.paths
        },
        # The hand-offs of chains as long as the one shown, lit with it.
        "ties": {
            p.customer: _shown_ties(p.ties, picture.stands_for) for p in report.critical.paths
        },
        "streams": {flow.id: _stream_data(flow, picture, names) for flow in page.streams},
        # A clicked team's downstream is found by walking these (the script's ``impact``).
        "downstream": None
        if page.downstream is None
        else {
            "ids": page.downstream.ids,
            "customers": page.downstream.customers,
            "succ": page.downstream.succ,
            "dominator": page.downstream.dominator,
        },
        **(
            {}
            if handoffs
            else {
                "no_handoffs": "What each team provides and receives is left out of a page with "
                f"no picture past {PANEL_HANDOFFS:,} hand-offs: icmap team TEAM shows it."
            }
        ),
        "no_facts": f"Impact is left out of pages of more than {IMPACT_LIMIT:,} nodes: "
        "icmap impact TEAM shows it.",
        "group_note": "This node stands for several teams (or customers, suppliers): "
        "icmap graph ORG --group NAME draws a group's teams, icmap impact TEAM a team's impact.",
    }


def _stream_data(flow: StreamFlow, picture: Picture, names: dict[str, str]) -> dict[str, Any]:
    """What the stream selector shows of one stream: its hand-offs and teams as the picture
    draws them (in an overview, by group), its critical path, its numbers in words."""
    shown = picture.stands_for
    nodes = sorted({shown.get(n, n) for edge in flow.edges for n in edge})
    edges = sorted({(shown.get(u, u), shown.get(v, v)) for u, v in flow.edges})
    customer = names.get(flow.customer, flow.customer)
    about = f"Value stream to {customer}" + (
        f". Starts: {flow.stream.starts}" if flow.stream.starts else ""
    )
    return {
        "label": flow.stream.label,
        "about": about,
        "nodes": nodes,
        "edges": [[u, v] for u, v in edges if u != v],
        "path": _shown_path(flow.path, shown),
        "ties": _shown_ties(flow.ties, shown),
        "facts": [list(fact) for fact in stream_facts(flow)],
    }


def _stream_options(page: Page) -> str:
    """The stream selector, only when the org declares streams."""
    if not page.streams:
        return ""
    drawn = page.picture.stream
    options = "".join(
        f'<option value="{html.escape(f.id)}"'
        + (" selected" if drawn is not None and f.id == drawn.id else "")
        + f">{html.escape(f.stream.label)}</option>"
        for f in page.streams
    )
    return (
        '<div class="controls"><label for="stream">Value stream</label>'
        f'<select id="stream"><option value="">(none)</option>{options}</select></div>'
    )


def _shown_path(path: tuple[str, ...], stands_for: dict[str, str]) -> list[str]:
    """A critical path as the picture draws it: in an overview, each team's group, once."""
    shown: list[str] = []
    for node in path:
        drawn = stands_for.get(node, node)
        if not shown or shown[-1] != drawn:
            shown.append(drawn)
    return shown


def _shown_ties(ties: tuple[tuple[str, str], ...], stands_for: dict[str, str]) -> list[list[str]]:
    """Tied hand-offs as the picture draws them (an overview's hand-offs inside a group vanish)."""
    shown = {(stands_for.get(u, u), stands_for.get(v, v)) for u, v in ties}
    return [[u, v] for u, v in sorted(shown) if u != v]


def _script_json(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _items(items: list[str]) -> str:
    return "".join(f"<li>{html.escape(i)}</li>" for i in items)


def _list(items: list[str], empty: str) -> str:
    """The first :data:`_TOP` entries, and the rest behind "and N more" (a ``<details>``: it
    opens without script or network)."""
    if not items:
        return f"<ul>{_items([empty])}</ul>"
    shown = f"<ul>{_items(items[:_TOP])}</ul>"
    rest = items[_TOP:]
    if not rest:
        return shown
    return (
        f'{shown}<details class="more"><summary>and {len(rest):,} more</summary>'
        f"<ul>{_items(rest)}</ul></details>"
    )


#: What the panel says when no team is a chokepoint (as the report says it).
NO_CHOKEPOINTS = "none: no team's failure cuts another off from every customer"


def _headline(page: Page) -> str:
    """The report's headline results: front line, critical paths, value streams (when the org
    declares any), chokepoints, weakest links."""
    report = page.report
    unit = report.critical.unit
    front = [f"{f.team} → {', '.join(f.customers)}" for f in report.front_line]
    mixed = {m.customer: stream_words.mixed_cadence(m) for m in report.mixed_cadences}
    paths = [
        f"{p.customer}: no delivery chain"
        if len(p.path) == 1
        else f"{p.customer}: {chain(p.path)} ({amount(p.total, unit)})"
        + (f"; {plural(len(p.ties), 'more hand-off')} on a chain as long" if p.ties else "")
        + (f". Note: {mixed[p.customer]}" if p.customer in mixed else "")
        for p in report.critical.paths
    ]
    ranked = sorted(report.chokepoints, key=lambda c: (-c.stranded, c.team))
    points = [f"{c.team}: strands {c.stranded:,} ({stranded_names(c)})" for c in ranked]
    weakest = [
        f"{w.customer}: {link(w.critical_path_weakest)}" + (" ⚠" if w.low else "")
        for w in report.weakest
        if w.critical_path_weakest is not None
    ]
    measured = _measured_headline(report)
    cut_off = [", ".join(report.reach.disconnected)] if report.reach.disconnected else []
    streams = [
        f"{stream_words.title(f)} → {f.customer}: {stream_words.lead_time(f)}; flow efficiency "
        f"{stream_words.efficiency(f)}; rolled %C&A {stream_words.quality(f)}"
        for f in report.streams
    ]
    partial = bool(page.picture.stands_for) or any(n.role == "focus" for n in page.picture.nodes)
    whole = '<p class="muted">Of the whole org, not only this picture:</p>' if partial else ""
    return (
        f'<section id="headline">{whole}'
        f"<h2>Front line</h2>{_list(front, 'no team serves a customer')}"
        f"<h2>Critical paths</h2>{_list(paths, 'none')}"
        + (f"<h2>Value streams</h2>{_list(streams, 'none')}" if streams else "")
        + measured
        + f"<h2>Chokepoints</h2>{_list(points, NO_CHOKEPOINTS)}"
        f"<h2>Weakest links</h2>{_list(weakest, 'no satisfaction scores')}"
        + (f"<h2>No path to any external customer</h2>{_list(cut_off, '')}" if cut_off else "")
        + "</section>"
    )


def _measured_headline(report: Headlines) -> str:
    """The report's measured section in brief; "" when no relation carries measured numbers."""
    flow = report.measured
    if flow is None:
        return ""
    lines = measured_words.headlines(flow)
    alone = measured_words.alone_line(flow)
    return (
        f'<div id="measured"><h2>Measured flow</h2>'
        f'<p class="muted">{html.escape(measured_words.intro(flow))}</p>'
        f"<h3>Busiest hand-offs</h3>{_list(lines['busiest'], 'none')}"
        f"<h3>{html.escape(measured_words.slowest_title(flow))}</h3>"
        f"{_list(lines['slowest'], 'none')}"
        f"<h3>{html.escape(measured_words.ping_pong_title(flow))}</h3>"
        f"{_list(lines['ping_pong'], 'none')}"
        f"<h3>Where cases end</h3>{_list(lines['endings'], 'none')}"
        + (f"<p>{html.escape(alone)}</p>" if alone else "")
        + "</div>"
    )


def _critical_options(page: Page) -> str:
    names = {n.id: n.label for n in page.picture.nodes}
    return "".join(
        f'<option value="{html.escape(p.customer)}">{html.escape(names.get(p.customer, p.customer))}</option>'
        for p in page.report.critical.paths
    )


def _sample(attrs: dict[str, str], shape_only: bool = False) -> str:
    """A small SVG drawing of a DOT node or edge style, for the legend."""
    fill = attrs.get("fillcolor", "none") if "filled" in attrs.get("style", "") else "none"
    stroke = attrs.get("color", "#78909c")
    width = attrs.get("penwidth", "1.5")
    dash = ' stroke-dasharray="5 3"' if "dashed" in attrs.get("style", "") else ""
    dash = ' stroke-dasharray="2 3"' if "dotted" in attrs.get("style", "") else dash
    if shape_only:
        return f'<path d="M2,11 L52,11" stroke="{stroke}" stroke-width="{width}" fill="none"{dash}/><path d="M52,6 L62,11 L52,16 z" fill="{stroke}"/>'
    shape = attrs.get("shape", "box")
    if shape in ("octagon", "doubleoctagon"):
        points = "8,2 56,2 62,7 62,15 56,20 8,20 2,15 2,7"
        return f'<polygon points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>'
    if shape == "cds":
        points = "2,2 52,2 62,11 52,20 2,20"
        return f'<polygon points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>'
    radius = 5 if "rounded" in attrs.get("style", "") else 0
    if float(attrs.get("width", "1")) < 1:  # enabling: narrow and upright
        return f'<rect x="22" y="0" width="20" height="22" rx="{radius}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>'
    return f'<rect x="2" y="2" width="60" height="18" rx="{radius}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>'


def _legend_html(picture: Picture) -> str:
    """The side panel's legend: a sample and the words for everything the picture draws."""
    key, legend = picture.key, picture.legend
    rows = [(_sample(dot.key_node_attrs(k)), dot.KEY_NODE_WORDS[k]) for k in key.nodes]
    rows += [(_sample(dot.role_attrs(r)), dot.ROLE_WORDS[r]) for r in key.roles]
    rows += [(_sample(dot.TYPE_ATTRS[t]), t) for t in legend.types]
    rows += [(_sample(dot.line_attrs(k), True), dot.LINE_WORDS[k]) for k in key.lines]
    rows += [
        (_sample({**dot.MODE_ATTRS[m]}, True), f"{m}: {dot.MODE_WORDS[m]}") for m in legend.modes
    ]
    rows += [
        (
            _sample({"color": dot.STATE_COLORS[s], "penwidth": "2.5"}, True),
            f"{s.upper()} dependency",
        )
        for s in legend.states
    ]
    rows += [(_sample(attrs, True), words) for attrs, words in dot.measured_entries(picture)]
    body = "".join(
        f'<g transform="translate(0,{26 * i})">{sample}<text x="72" y="15">{html.escape(words)}</text></g>'
        for i, (sample, words) in enumerate(rows)
    )
    note = (
        '<p class="muted">A typed team on the front line has a thicker border.</p>'
        if legend.types
        else ""
    )
    if picture.measured is not None:
        note += (
            '<p class="muted">Measured hand-offs: wider for more hand-offs, coloured by how '
            "many come straight back; labels say N× hand-offs, the median and the 85th "
            "percentile of the time a case stayed with the provider.</p>"
        )
    height = 26 * len(rows)
    # Scaled to the panel's width (viewBox), so it never makes the panel scroll sideways.
    return (
        f'<div id="legend"><h2>Legend</h2><svg viewBox="0 0 330 {height}" width="330" '
        f'height="{height}" role="img" aria-label="Legend">{body}</svg>{note}</div>'
    )


def withheld_words(withheld: Withheld) -> str:
    """Why the page does not draw the picture asked for, what it draws instead, and what to
    do: the page's banner and icmap's note on stderr say the same."""
    asked = (
        f"The picture asked for, {withheld.title}, has {withheld.nodes:,} nodes and {withheld.handoffs:,} hand-offs, "
        f"more than Graphviz in a browser lays out in reasonable time ({BROWSER_HANDOFFS:,} "
        "hand-offs take about 5 s of CPU, and past that the time can jump to minutes)"
    )
    shown = (
        "so the page draws the group overview instead, one node per group"
        if withheld.instead == "overview"
        else "so the page draws no picture; its panel has the report's results"
    )
    advice = (
        f"{'--group NAME or --focus TEAM' if withheld.grouped else '--focus TEAM'} draws part "
        "of the org team by team; -f gexf or -f graphml has every team for a tool made for "
        "large graphs, -f dot for Graphviz on your machine"
    )
    return f"{asked}: {shown}. {advice}."


#: What a page with no picture says its panel does instead.
_PANEL_ONLY = (
    "Find a team to see what it provides and receives; choose a customer under "
    '"Critical path to" for its critical path, each step a link to that team.'
)

#: The picture's zoom and panel buttons.
_ZOOMS = """<div class="controls"><button id="fit" type="button">Fit to width</button>
<button id="whole" type="button">Whole picture</button>
<button id="zoom-in" type="button" aria-label="Zoom in">+</button>
<button id="zoom-out" type="button" aria-label="Zoom out">&minus;</button>
<button id="hide-panel" type="button">Hide panel</button></div>
"""


# Its tens of thousands of small lists and strings for a large org would otherwise set off the
# collector's full passes over everything the analyses left alive (2 s at 100,000 teams).
@collector_paused
def render(page: Page) -> str:
    """The whole page."""
    picture = page.picture
    withheld = page.withheld
    words = "" if withheld is None else html.escape(withheld_words(withheld))
    drawn = withheld is None or withheld.instead != "nothing"
    canvas = (
        f'<p id="status" class="muted">Laying out {len(picture.nodes):,} nodes with Graphviz…</p>'
        if drawn
        else f'<p id="too-large" role="note">{words}</p>'
    )
    banner = (
        f'<div id="too-large" role="note"><p>{words}</p>'
        '<button id="too-large-close" type="button">Close</button></div>'
        if words and drawn
        else ""
    )
    title = html.escape(picture.title)
    notes = "".join(f'<p class="muted">{html.escape(n)}</p>' for n in picture.notes)
    click = (
        "Click a group for its hand-offs, counted, and its teams; a team for what it provides "
        "and receives, and what its failure would do."
        if any(n.teams is not None and n.kind == "team" for n in picture.nodes)
        else "Click a team for what it provides and receives, and what its failure would do."
    )
    unlabelled = (
        f" Past {LABELLED_HANDOFFS:,} hand-offs they are drawn without their labels: point at "
        "one for what flows."
        if len(picture.edges) > LABELLED_HANDOFFS
        else ""
    )
    # A page with no picture has nothing to pan or zoom, and no legend: its panel answers alone.
    about, zooms = (
        (
            '<p class="muted">Work flows left to right, toward the external customers. '
            f"{click}{unlabelled} Drag to\npan; Ctrl+wheel or the buttons to zoom.</p>\n",
            _ZOOMS,
        )
        if drawn
        else (f'<p class="muted">{_PANEL_ONLY}</p>\n', "")
    )
    legend = _legend_html(picture) if drawn else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="icmap">
<title>{title}</title>
<style>{_STYLE}</style>
</head>
<body{"" if drawn else ' class="no-picture"'}>
<div id="canvas">{canvas}
<noscript><p>This page draws its picture with JavaScript; icmap graph -f svg draws it without.</p></noscript></div>
{banner}<button id="show-panel" type="button">Show panel</button>
<aside><h1>{title}</h1>{notes}
{about}<input id="search" type="search" placeholder="Find a team by name or id" aria-label="Find a team">
<ul id="matches"></ul>
{zooms}<div class="controls"><label for="critical">Critical path to</label>
<select id="critical"><option value="">(none)</option>{_critical_options(page)}</select></div>
{_stream_options(page)}
<div id="details"></div>
{_headline(page)}
{legend}
</aside>
<script type="application/json" id="icmap-data">{_script_json(page_data(page))}</script>
<script type="text/plain" id="icmap-engine">{_engine() if drawn else ""}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""
