import { describe, it, expect } from 'vitest';
import { BfvContext, KeyGenerator, Encryptor, Decryptor, BatchEncoder, Evaluator } from '@qhe/bfv';
for (const kernel of ['u32','u64'] as const) describe(kernel, () => {
  it('works', () => {
    const ctx = new BfvContext({ polyDegree: 1024, coeffModulus: [29,29,29], specialModulus:[29], plainModulus: { batchingBits: 14 }, kernel, allowInsecure: true });
    const kg = new KeyGenerator(ctx); const pk = kg.createPublicKey(); const rk = kg.createRelinKeys(); const gk = kg.createGaloisKeys({steps:[1, 0]});
    const enc = new Encryptor(ctx, { publicKey: pk, secretKey: kg.secretKey }); const dec = new Decryptor(ctx, kg.secretKey);
    const be = new BatchEncoder(ctx); const ev = new Evaluator(ctx);
    const t = Number(ctx.t);
    const a = Array.from({length:1024},(_,i)=>i%t), b = Array.from({length:1024},(_,i)=>(3*i+1)%t);
    const ca = enc.encrypt(be.encode(a)), cb = enc.encryptSymmetric(be.encode(b));
    expect(be.decode(dec.decrypt(ca))).toEqual(a);
    expect(be.decode(dec.decrypt(cb))).toEqual(b);
    console.log(kernel,'fresh budget', dec.invariantNoiseBudget(ca));
    expect(be.decode(dec.decrypt(ev.add(ca, cb)))).toEqual(a.map((x,i)=>(x+b[i])%t));
    expect(be.decode(dec.decrypt(ev.multiplyScalar(ca, -3)))).toEqual(a.map((x)=>((x*-3)%t+t)%t));
    expect(be.decode(dec.decrypt(ev.multiplyPlain(ca, be.encode(b))))).toEqual(a.map((x,i)=>(x*b[i])%t));
    const prod = ev.multiply(ca, cb);
    console.log(kernel,'budget after mul', dec.invariantNoiseBudget(prod));
    const expected = a.map((x,i)=>Number(BigInt(x)*BigInt(b[i])%BigInt(t)));
    expect(be.decode(dec.decrypt(prod))).toEqual(expected);
    const rl = ev.relinearize(prod, rk);
    console.log(kernel,'budget after relin', dec.invariantNoiseBudget(rl));
    expect(be.decode(dec.decrypt(rl))).toEqual(expected);
    const rot = ev.rotateRows(ca, 1, gk);
    const half = 512; const exp = a.map((_,i)=> i<half ? a[(i+1)%half] : a[half + ((i-half+1)%half)]);
    expect(be.decode(dec.decrypt(rot))).toEqual(exp);
  });
});
