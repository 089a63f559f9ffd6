import { Global, Module } from '@nestjs/common';
import { InferService } from './infer.service';
import { InferencePool } from './inference-pool.service';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';
import { TokenizerService } from './tokenizer.service';

/** The shared ONNX Runtime pool, the model store and tokenizers. Global: every module injects InferencePool. */
@Global()
@Module({
  controllers: [ModelsController],
  providers: [InferencePool, ModelsService, InferService, TokenizerService],
  exports: [InferencePool, TokenizerService],
})
export class InferenceModule {}
