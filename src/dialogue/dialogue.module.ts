import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { GenerationModule } from '../generation/generation.module';
import { NluModule } from '../nlu/nlu.module';
import { RecommendationModule } from '../recommendation/recommendation.module';
import { SearchModule } from '../search/search.module';
import { AssistantsController } from './assistants.controller';
import { AssistantsService } from './assistants.service';
import { ChannelsController } from './channels.controller';
import { DIALOGUE_SETTINGS, DialogueSettings, dialogueSettings } from './dialogue-settings';
import { DialogueTestsService } from './dialogue-tests.service';
import { DialogueRepository } from './dialogue.repository';
import { DialogueService } from './dialogue.service';
import { TurnsRepository } from './turns.repository';
import { FaqSeedService } from './faq-seed.service';
import { HandoffService } from './handoff.service';
import { SessionsController } from './sessions.controller';
import { ChitchatSkill } from './skills/chitchat.skill';
import { FaqSkill } from './skills/faq.skill';
import { HandoffSkill } from './skills/handoff.skill';
import { OrderStatusSkill } from './skills/order-status.skill';
import { OrderSkill } from './skills/order.skill';
import { RecommendSkill } from './skills/recommend.skill';
import { Skill, SKILLS_TOKEN } from './skills/skill';
import { WeatherSkill } from './skills/weather.skill';
import { OpenMeteoWeather } from './weather/open-meteo-weather';
import { WeatherProvider } from './weather/weather-provider';

const SKILL_CLASSES = [WeatherSkill, OrderSkill, OrderStatusSkill, RecommendSkill, FaqSkill, ChitchatSkill, HandoffSkill];

/** Assistants (domain files), conversations with tracked state and forms, and skills (weather, ordering, recommendations, FAQ, chitchat, handoff). */
@Module({
  imports: [NluModule, GenerationModule, RecommendationModule, SearchModule],
  controllers: [AssistantsController, SessionsController, ChannelsController],
  providers: [
    { provide: DIALOGUE_SETTINGS, useFactory: dialogueSettings, inject: [AppConfig] },
    { provide: WeatherProvider, useFactory: (s: DialogueSettings) => new OpenMeteoWeather(s.weather), inject: [DIALOGUE_SETTINGS] },
    ...SKILL_CLASSES,
    { provide: SKILLS_TOKEN, useFactory: (...skills: Skill[]) => skills, inject: SKILL_CLASSES },
    DialogueRepository,
    TurnsRepository,
    AssistantsService,
    DialogueService,
    DialogueTestsService,
    HandoffService,
    FaqSeedService,
  ],
  exports: [DialogueService],
})
export class DialogueModule {}
